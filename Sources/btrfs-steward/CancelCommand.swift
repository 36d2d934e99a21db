import ArgumentParser
import Steward

struct CancelCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cancel",
    abstract: "Cancel the run in progress or paused, and its kernel balance.",
    discussion: """
      A cancelled run is over: the next `run` plans anew. A balance btrfs-steward did not start is \
      cancelled only with --force.
      """
  )

  @OptionGroup var control: ControlOptions
  @OptionGroup var logging: LogOptions

  func run() throws {
    let (lifecycle, current) = try control.read()
    let cancelled = try controlling { () throws(RunLifecycle.ControlError) in
      try lifecycle.cancel(
        current, force: control.force, timeout: control.timeout,
        signalling: control.asking("cancel"))
    }
    switch cancelled {
    case .signalled: print("Cancelled.")
    case .journaled: print("Cancelled on \(control.path).")
    }
  }
}
