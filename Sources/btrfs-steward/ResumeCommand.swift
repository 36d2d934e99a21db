import ArgumentParser
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
    let (lifecycle, current) = try control.read()
    let resumed = try controlling { () throws(RunLifecycle.ControlError) in
      try lifecycle.resume(current, force: control.force) {
        print("Resuming the kernel's paused balance on \(control.path)…")
      }
    }
    switch resumed {
    case .alreadyRunning(let run):
      print("The run of policy '\(run.plan.policyName)' is already running (pid \(run.processID)).")
    case .carryOn(_, let policyPath):
      let loaded = try loadPolicyOrExit(policyPath)
      let status = try RunDriver(json: output.json, state: control.state, wait: false)
        .run(loaded, path: control.path)
      if status != .success { throw ExitCode(status.rawValue) }
    case .kernelBalance(let outcome):
      print("Balance ended: \(outcome)")
    }
  }
}
