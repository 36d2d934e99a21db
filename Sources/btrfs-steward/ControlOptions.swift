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
    let current = try readState(target: target, fsid: fsid, stateDirectory: state.stateDir)
    if let warning = current.journalWarning { printError(warning) }
    return (target, current, fsid)
  }

  /// Signals the live run's process and waits until it has exited. The process is signalled only
  /// while it is provably the run's own: the same id and the start time its journal records.
  func signalRun(_ run: RunHistory, _ signalNumber: Int32, doing: String) throws {
    guard let process = run.process, process.isAlive else {
      printError("the run's process \(run.processID) is gone; nothing was signalled")
      throw ExitCode(ExitStatus.failure.rawValue)
    }
    print("Asking the run of policy '\(run.plan.policyName)' (pid \(run.processID)) to \(doing)…")
    guard kill(process.processID, signalNumber) == 0 else {
      printError("cannot signal pid \(run.processID): errno \(errno)")
      throw ExitCode(ExitStatus.failure.rawValue)
    }
    let deadline = Date().addingTimeInterval(timeout)
    while process.isAlive {
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
    let file: JournalFile
    do {
      file = try JournalFile(stateDirectory: state.stateDir, fsid: fsid)
    } catch {
      printError(error.description)
      throw ExitCode(error.exitStatus.rawValue)
    }
    return (Journal(file: file, runID: run.id, now: { Date() }), lock)
  }
}

/// Reads the state of the filesystem `fsid`; on failure prints why and exits with its documented
/// status (an untrusted state directory or journal has its own).
func readState(target: KernelTarget, fsid: String, stateDirectory: String) throws
  -> FilesystemState
{
  do {
    return try FilesystemState.read(target: target, fsid: fsid, stateDirectory: stateDirectory)
  } catch {
    printError(error.description)
    throw ExitCode(error.exitStatus.rawValue)
  }
}

/// Exits with `status` after printing `message`.
func failure(_ status: ExitStatus, _ message: String) -> ExitCode {
  printError(message)
  return ExitCode(status.rawValue)
}
