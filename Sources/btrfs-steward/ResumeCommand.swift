import ArgumentParser
import Btrfs
import Steward

struct ResumeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "resume",
    abstract:
      "Carry on a paused run: resume the kernel's paused balance, then the rest of the plan.",
    discussion: """
      The run's policy is read again from the file it was planned from; if that file changed, or \
      the plan is more than 24 hours old, the run is planned anew (as `run` would). A paused balance \
      btrfs-steward did not start is resumed only with --force.
      """
  )

  @OptionGroup var control: ControlOptions
  @OptionGroup var output: OutputOptions

  func run() throws {
    let (target, current, _) = try control.read()
    if let run = current.openRun {
      if current.runProcessAlive {
        print(
          "The run of policy '\(run.plan.policyName)' is already running (pid \(run.processID)).")
        return
      }
      guard let policyPath = run.policyPath else {
        throw failure(.invalidInput, "the journaled run does not name its policy file")
      }
      let loaded = try loadPolicyOrExit(policyPath)
      let status = try RunDriver(json: output.json, state: control.state, wait: false)
        .run(loaded, path: control.path)
      if status != .success { throw ExitCode(status.rawValue) }
      return
    }
    guard let kernel = current.kernelBalance, kernel.isPaused else {
      throw failure(.failure, "nothing is paused on \(control.path)")
    }
    try control.requireOwnershipOrForce(current)
    print("Resuming the kernel's paused balance on \(control.path)…")
    let outcome = try withExitStatus { () throws(BtrfsError) in try target.resumeBalance() }
    print("Balance ended: \(outcome)")
  }
}
