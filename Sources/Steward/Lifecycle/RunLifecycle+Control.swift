import Btrfs
import Foundation
import Glibc

/// Control from another shell: `pause`, `resume` and `cancel`. A live run is reached only through
/// its own process, and only while the journal proves which process that is (its id and start
/// time); with no live process the kernel and the journal are acted on directly, under the run's
/// lock. A balance btrfs-steward did not start is touched only with `force`.
extension RunLifecycle {
  /// Why a control command did nothing, or did not finish.
  public enum ControlError: Error, Sendable, CustomStringConvertible {
    /// Reading the kernel or the journal failed.
    case state(ExecutionError)
    /// `pause`: no balance runs.
    case nothingRunning(path: String)
    /// `resume`: nothing is paused.
    case nothingPaused(path: String)
    /// `cancel`: no run is open and no balance runs or is paused.
    case nothingToCancel(path: String)
    /// The run's process exited before it could be signalled.
    case processGone(processID: Int32)
    /// The run's process could not be signalled.
    case signalFailed(processID: Int32, errno: Int32)
    /// The run's process did not exit in time.
    case timedOut(seconds: Double)
    /// The balance is not btrfs-steward's, and `force` was not given.
    case foreignBalance(path: String, paused: Bool)
    /// The filesystem's run lock is held (a run started meanwhile), or cannot be taken.
    case lock(FilesystemLock.Failure)
    /// The journal could not be opened or written.
    case journal(JournalError)
    /// The kernel refused.
    case kernel(BtrfsError)
    /// The journaled run does not name its policy file, so it cannot be carried on.
    case noPolicyFile

    public var description: String {
      switch self {
      case .state(let error): error.description
      case .nothingRunning(let path): "no balance is running on \(path)"
      case .nothingPaused(let path): "nothing is paused on \(path)"
      case .nothingToCancel(let path): "nothing to cancel on \(path)"
      case .processGone(let processID):
        "the run's process \(processID) is gone; nothing was signalled"
      case .signalFailed(let processID, let errno): "cannot signal pid \(processID): errno \(errno)"
      case .timedOut(let seconds): "the run did not stop within \(Int(seconds)) seconds"
      case .foreignBalance(let path, let paused):
        RunRefusal.foreignBalance(path: path, paused: paused).description
          + "; use --force to act on it anyway"
      case .lock(.held(let path)): RunRefusal.lockedBySteward(lockFile: path).description
      case .lock(let failure): failure.description
      case .journal(let error): error.description
      case .kernel(let error): error.description
      case .noPolicyFile: "the journaled run does not name its policy file"
      }
    }

    /// The documented exit status.
    public var exitStatus: ExitStatus {
      switch self {
      case .state(let error): error.exitStatus
      case .nothingRunning, .nothingPaused, .nothingToCancel, .processGone, .signalFailed,
        .timedOut:
        .failure
      case .foreignBalance: .foreignBalance
      case .lock(.held): .locked
      case .lock: .failure
      case .journal(let error): error.exitStatus
      case .kernel(let error): ExitStatus(error)
      case .noPolicyFile: .invalidInput
      }
    }
  }

  /// What `pause` did.
  public enum Paused: Sendable {
    /// The run's live process was asked to pause (SIGUSR1); it journaled the pause and exited.
    case signalled(RunHistory)
    /// No process runs the open run: its balance in the kernel was paused, the paused balance
    /// cancelled (its block group is done, so nothing is lost, and the kernel cannot resume it at
    /// the next mount), and `paused` journaled.
    case journaled(RunHistory)
    /// A balance that is not btrfs-steward's was paused in the kernel (`force`).
    case kernelBalance
  }

  /// Pauses the run in `state` (from ``state()``), or the kernel's balance. `signalling` is told
  /// before a live run's process is signalled; it has `timeout` seconds to exit.
  public func pause(
    _ state: FilesystemState, force: Bool, timeout: Double,
    signalling: (RunHistory) -> Void = { _ in }
  ) throws(ControlError) -> Paused {
    if let run = try signalLiveRun(state, SIGUSR1, timeout: timeout, signalling: signalling) {
      return .signalled(run)
    }
    guard let kernel = state.kernelBalance, kernel.isRunning else {
      throw .nothingRunning(path: path)
    }
    try requireOwnership(state, force: force)
    try kernelCall { () throws(BtrfsError) in try target.pauseBalance() }
    guard let run = state.openRun, state.kernelBalanceIsOurs else { return .kernelBalance }
    // The pause lives in the journal, not in the kernel, which would resume a paused balance by
    // itself at the next mount.
    let (journal, lock) = try journalOfOpenRun(run)
    try kernelCall { () throws(BtrfsError) in
      do throws(BtrfsError) { try target.cancelBalance() } catch .noBalance {}
    }
    try record(journal, .paused(reason: .external, operation: run.inFlight))
    withExtendedLifetime(lock) {}
    return .journaled(run)
  }

  /// What `resume` decided or did.
  public enum Resumed: Sendable {
    /// The open run's process is alive: nothing to do.
    case alreadyRunning(RunHistory)
    /// The open run has no live process: carry it on with ``run(_:stops:observe:note:pressure:)``
    /// of the policy file at `policyPath`, which the run was planned from.
    case carryOn(RunHistory, policyPath: String)
    /// The kernel's paused balance (not a journaled run's) was resumed and ended so (`force` for
    /// one btrfs-steward did not start).
    case kernelBalance(BalanceOutcome)
  }

  /// Resumes what `state` (from ``state()``) holds paused. `resuming` is told before the kernel's
  /// paused balance is resumed, which blocks until the balance ends.
  public func resume(
    _ state: FilesystemState, force: Bool, resuming: () -> Void = {}
  ) throws(ControlError) -> Resumed {
    if let run = state.openRun {
      if state.runProcessAlive { return .alreadyRunning(run) }
      guard let policyPath = run.policyPath else { throw .noPolicyFile }
      return .carryOn(run, policyPath: policyPath)
    }
    guard let kernel = state.kernelBalance, kernel.isPaused else {
      throw .nothingPaused(path: path)
    }
    try requireOwnership(state, force: force)
    resuming()
    return .kernelBalance(try kernelCall { () throws(BtrfsError) in try target.resumeBalance() })
  }

  /// What `cancel` did.
  public enum Cancelled: Sendable {
    /// The run's live process was asked to cancel (SIGUSR2); it journaled it and exited.
    case signalled(RunHistory)
    /// No process runs the open run (if there is one): `cancelled` was journaled under the run's
    /// lock, and the kernel's balance, if any, cancelled.
    case journaled(RunHistory?)
  }

  /// Cancels the run in `state` (from ``state()``) and its kernel balance. `signalling` is told
  /// before a live run's process is signalled; it has `timeout` seconds to exit.
  public func cancel(
    _ state: FilesystemState, force: Bool, timeout: Double,
    signalling: (RunHistory) -> Void = { _ in }
  ) throws(ControlError) -> Cancelled {
    if let run = try signalLiveRun(state, SIGUSR2, timeout: timeout, signalling: signalling) {
      return .signalled(run)
    }
    if state.kernelBalance != nil { try requireOwnership(state, force: force) }
    guard state.kernelBalance != nil || state.openRun != nil else {
      throw .nothingToCancel(path: path)
    }
    var held: FilesystemLock?
    if let run = state.openRun {
      let (journal, lock) = try journalOfOpenRun(run)
      held = lock
      try record(journal, .cancelled(reason: .external, operation: run.inFlight))
    }
    if state.kernelBalance != nil {
      try kernelCall { () throws(BtrfsError) in try target.cancelBalance() }
    }
    withExtendedLifetime(held) {}
    return .journaled(state.openRun)
  }

  // MARK: Helpers

  /// Signals the open run's process when it is alive (after telling `signalling`) and waits until
  /// it has exited; returns that run, or `nil` when no live process runs it.
  private func signalLiveRun(
    _ state: FilesystemState, _ signalNumber: Int32, timeout: Double,
    signalling: (RunHistory) -> Void
  ) throws(ControlError) -> RunHistory? {
    guard let run = state.openRun, state.runProcessAlive else { return nil }
    signalling(run)
    try signal(run, signalNumber, timeout: timeout)
    return run
  }

  /// Signals the live run's process and waits until it has exited. The process is signalled only
  /// while it is provably the run's own: the same id and the start time its journal records.
  private func signal(_ run: RunHistory, _ signalNumber: Int32, timeout: Double)
    throws(ControlError)
  {
    guard let process = run.process, process.isAlive else {
      throw .processGone(processID: run.processID)
    }
    guard kill(process.processID, signalNumber) == 0 else {
      throw .signalFailed(processID: run.processID, errno: errno)
    }
    let deadline = Date().addingTimeInterval(timeout)
    while process.isAlive {
      guard Date() < deadline else { throw .timedOut(seconds: timeout) }
      usleep(100_000)
    }
  }

  /// Refuses to touch a balance btrfs-steward did not start, unless `force`.
  private func requireOwnership(_ state: FilesystemState, force: Bool) throws(ControlError) {
    guard state.kernelBalanceIsOurs || force else {
      throw .foreignBalance(path: path, paused: state.isPaused)
    }
  }

  /// A journal for the open run, after taking the filesystem's lock so no run starts meanwhile.
  private func journalOfOpenRun(_ run: RunHistory) throws(ControlError) -> (
    Journal, FilesystemLock
  ) {
    mkdir(environment.runtimeDirectory, 0o755)
    let lock: FilesystemLock
    do {
      lock = try FilesystemLock(
        path: FilesystemLock.stewardLockPath(
          fsid: fsid, runtimeDirectory: environment.runtimeDirectory))
    } catch {
      throw .lock(error)
    }
    do {
      let file = try environment.journalFile(fsid: fsid)
      return (Journal(file: file, runID: run.id, now: environment.now), lock)
    } catch {
      throw .journal(error)
    }
  }

  private func record(_ journal: Journal, _ event: JournalEvent) throws(ControlError) {
    do { try journal.record(event) } catch { throw .journal(error) }
  }

  private func kernelCall<Value>(_ body: () throws(BtrfsError) -> Value) throws(ControlError)
    -> Value
  {
    do { return try body() } catch { throw .kernel(error) }
  }
}
