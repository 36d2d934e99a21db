import ArgumentParser
import Btrfs
import Glibc
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
    let (target, current, fsid) = try control.read()
    if let run = current.openRun, current.runProcessAlive {
      try control.signalRun(run, SIGUSR2, doing: "cancel")
      print("Cancelled.")
      return
    }
    if current.kernelBalance != nil {
      try control.requireOwnershipOrForce(current)
    }
    guard current.kernelBalance != nil || current.openRun != nil else {
      throw failure(.failure, "nothing to cancel on \(control.path)")
    }
    var held: FilesystemLock?
    if let run = current.openRun {
      let (journal, lock) = try control.journalOfOpenRun(run, fsid: fsid)
      held = lock
      try journal.record(.cancelled(reason: .external, operation: run.inFlight))
    }
    if current.kernelBalance != nil {
      try withExitStatus { () throws(BtrfsError) in try target.cancelBalance() }
    }
    withExtendedLifetime(held) {}
    print("Cancelled on \(control.path).")
  }
}
