import ArgumentParser
import Btrfs
import Glibc
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
    let (target, current, _) = try control.read()
    if let run = current.openRun, current.runProcessAlive {
      try control.signalRun(run, SIGUSR1, doing: "pause")
      print("Paused.")
      return
    }
    guard let kernel = current.kernelBalance, kernel.isRunning else {
      throw failure(.failure, "no balance is running on \(control.path)")
    }
    try control.requireOwnershipOrForce(current)
    try withExitStatus { () throws(BtrfsError) in try target.pauseBalance() }
    print("Paused the kernel's balance on \(control.path).")
  }
}
