import ArgumentParser
import Steward

struct PauseCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pause",
    abstract: "Pause the run in progress (the kernel finishes the block group in flight first).",
    discussion: """
      The run journals the pause and exits; `btrfs-steward resume` or the next `run` carries it on. \
      A balance btrfs-steward did not start is paused only with --force.
      """
  )

  @OptionGroup var control: ControlOptions
  @OptionGroup var logging: LogOptions

  func run() throws {
    let (lifecycle, current) = try control.read()
    let paused = try controlling { () throws(RunLifecycle.ControlError) in
      try lifecycle.pause(
        current, force: control.force, timeout: control.timeout,
        signalling: control.asking("pause"))
    }
    switch paused {
    case .signalled: print("Paused.")
    case .journaled(let run):
      print("Paused the run of policy '\(run.plan.policyName)' on \(control.path).")
    case .kernelBalance: print("Paused the kernel's balance on \(control.path).")
    }
  }
}
