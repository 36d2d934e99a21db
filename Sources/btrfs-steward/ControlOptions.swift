import ArgumentParser
import Btrfs
import Foundation
import Steward

/// What `pause`, `resume` and `cancel` share: the filesystem, the state directories, `--force`.
struct ControlOptions: ParsableArguments {
  @Argument(help: "The mountpoint (or a path on it).", completion: .btrfsMountpoint)
  var path: String

  @Flag(help: "Also act on a balance that btrfs-steward did not start.")
  var force = false

  @Option(
    help: "Seconds to wait for the run to stop (the kernel finishes the block group in flight).")
  var timeout: Double = 900

  @OptionGroup var state: StateOptions

  /// The kernel target and the filesystem's state.
  func read() throws -> (KernelTarget, FilesystemState, fsid: String) {
    try requireRoot()
    let target = try withExitStatus { () throws(BtrfsError) in try KernelTarget(path: path) }
    let fsid = target.fsid
    let current = try FilesystemState.read(
      target: target, fsid: fsid, stateDirectory: state.stateDir)
    return (target, current, fsid)
  }

  /// Signals the live run's process and waits until it has exited.
  func signalRun(_ run: RunHistory, _ signalNumber: Int32, doing: String) throws {
    print("Asking the run of policy '\(run.plan.policyName)' (pid \(run.processID)) to \(doing)…")
    guard kill(run.processID, signalNumber) == 0 else {
      printError("cannot signal pid \(run.processID): errno \(errno)")
      throw ExitCode(ExitStatus.failure.rawValue)
    }
    let deadline = Date().addingTimeInterval(timeout)
    while kill(run.processID, 0) == 0 {
      guard Date() < deadline else {
        printError("the run did not stop within \(Int(timeout)) seconds")
        throw ExitCode(ExitStatus.failure.rawValue)
      }
      usleep(100_000)
    }
  }

  /// Refuses to touch a balance btrfs-steward did not start, unless `--force`.
  func requireOwnershipOrForce(_ current: FilesystemState) throws {
    guard current.kernelBalanceIsOurs || force else {
      printError(
        RunRefusal.foreignBalance(path: path, paused: current.isPaused).description
          + "; use --force to act on it anyway")
      throw ExitCode(ExitStatus.foreignBalance.rawValue)
    }
  }

  /// A journal for the open run, after taking the filesystem's lock so no run starts meanwhile.
  func journalOfOpenRun(_ run: RunHistory, fsid: String) throws -> (Journal, FilesystemLock) {
    let lockPath = FilesystemLock.stewardLockPath(fsid: fsid, runtimeDirectory: state.runtimeDir)
    mkdir(state.runtimeDir, 0o755)
    let lock: FilesystemLock
    do {
      lock = try FilesystemLock(path: lockPath)
    } catch .held {
      printError(RunRefusal.lockedBySteward(lockFile: lockPath).description)
      throw ExitCode(ExitStatus.locked.rawValue)
    } catch {
      printError(error.description)
      throw ExitCode(ExitStatus.failure.rawValue)
    }
    let file = try JournalFile(stateDirectory: state.stateDir, fsid: fsid)
    return (Journal(file: file, runID: run.id, now: { Date() }), lock)
  }
}

/// Exits with `status` after printing `message`.
func failure(_ status: ExitStatus, _ message: String) -> ExitCode {
  printError(message)
  return ExitCode(status.rawValue)
}
