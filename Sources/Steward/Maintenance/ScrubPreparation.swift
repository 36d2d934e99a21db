import Btrfs
import Foundation

/// A scrub job ready to run: the locks held, the journal read, crashed jobs' speed limits
/// restored, and the open job to carry on, if any.
public struct PreparedScrub: Sendable {
  /// The journaled job it carries on, or `nil` for a new one.
  public var continuing: ScrubHistory?
  /// The journal of this filesystem.
  public var journalFile: JournalFile
  /// The job's run id for journal records.
  public var runID: String
  /// What the preparation did that a person should know.
  public var notes: [String]
  /// The locks, held until this value is released.
  let locks: [FilesystemLock]
}

/// Checks a scrub job's guards and decides whether it is due: the same locks, windows and battery
/// condition as balance runs, a journaled open job carried on, otherwise a new one once the
/// policy's interval has passed since the last complete scrub.
public struct ScrubPreparation: Sendable {
  public var policy: Policy
  public var stateDirectory: String
  /// Where btrfs-steward's own locks live (`/run/btrfs-steward`).
  public var runtimeDirectory: String
  /// Where btrfsmaintenance's lock lives (`/run`), or `nil` to ignore it.
  public var btrfsMaintenanceDirectory: String?
  /// Wait for locks instead of refusing.
  public var wait: Bool
  /// Start a new job even when the interval has not passed.
  public var ignoreInterval: Bool
  public var now: @Sendable () -> Date
  public var isOnMains: @Sendable () -> Bool
  /// Told what the preparation waits for, when it waits.
  public var onWait: @Sendable (String) -> Void
  /// While waiting for a lock: whether to stop waiting (a signal asked the job to stop) and refuse.
  public var stopWaiting: @Sendable () -> Bool = { false }

  public init(
    policy: Policy, stateDirectory: String, runtimeDirectory: String,
    btrfsMaintenanceDirectory: String? = "/run", wait: Bool = false, ignoreInterval: Bool = false,
    now: @escaping @Sendable () -> Date = { Date() },
    isOnMains: @escaping @Sendable () -> Bool = { PowerSupply.isOnMains() },
    onWait: @escaping @Sendable (String) -> Void = { _ in }
  ) {
    self.policy = policy
    self.stateDirectory = stateDirectory
    self.runtimeDirectory = runtimeDirectory
    self.btrfsMaintenanceDirectory = btrfsMaintenanceDirectory
    self.wait = wait
    self.ignoreInterval = ignoreInterval
    self.now = now
    self.isOnMains = isOnMains
    self.onWait = onWait
  }

  /// Prepares a scrub job on `fileSystem`, the filesystem `fsid`.
  public func prepare(fileSystem: FileSystem, fsid: String, sysfs: SysfsFacts)
    throws(MaintenanceFailure)
    -> PreparedScrub
  {
    guard let scrub = policy.scrub else { throw .refused(.notInPolicy(job: "scrub")) }
    let locks = try takeMaintenanceLocks(
      fsid: fsid, runtimeDirectory: runtimeDirectory,
      btrfsMaintenanceDirectory: btrfsMaintenanceDirectory, wait: wait, giveUp: stopWaiting,
      onWait: onWait)
    let journalFile = try journal { () throws(JournalError) in
      try JournalFile(stateDirectory: stateDirectory, fsid: fsid)
    }
    var state = MaintenanceReplay.state(
      try journal { () throws(JournalError) in try journalFile.read() }.records)
    var notes = try restoreSpeedLimits(&state, sysfs: sysfs, journalFile: journalFile)
    guard policy.withWindows(scrub.windows).isWithinWindow(at: now()) else {
      throw .refused(.run(.outsideWindow))
    }
    if policy.conditions.requiresACPower, !isOnMains() { throw .refused(.run(.onBattery)) }
    let path = fileSystem.path
    if try kernel({ () throws(BtrfsError) in try fileSystem.balanceProgress() })?.isRunning == true
    {
      throw .refused(.balanceRunning(path: path))
    }
    for device in try kernel({ () throws(BtrfsError) in try fileSystem.devices() })
    where try kernel({ () throws(BtrfsError) in try fileSystem.scrubProgress(devid: device.devid) })
      != nil
    {
      throw .refused(.foreignScrub(path: path, devid: device.devid))
    }
    if let open = state.openScrub {
      notes.append("carrying on the scrub started \(open.startedAt.formatted(.iso8601))")
      return PreparedScrub(
        continuing: open, journalFile: journalFile, runID: open.id, notes: notes, locks: locks)
    }
    if !ignoreInterval, let last = state.lastFinishedScrub {
      let due = last.lastRecordAt.addingTimeInterval(scrub.interval.seconds)
      if now() < due { throw .refused(.notDue(job: "scrub", last: last.lastRecordAt, due: due)) }
    }
    try journal { () throws(JournalError) in try journalFile.compact() }
    return PreparedScrub(
      continuing: nil, journalFile: journalFile, runID: UUID().uuidString.lowercased(),
      notes: notes, locks: locks)
  }

  /// Puts back the speed limits a crashed job left changed, journaling each.
  private func restoreSpeedLimits(
    _ state: inout MaintenanceState, sysfs: SysfsFacts, journalFile: JournalFile
  ) throws(MaintenanceFailure) -> [String] {
    var notes: [String] = []
    for (devid, original) in state.unrestoredSpeedLimits.sorted(by: { $0.key < $1.key }) {
      try kernel { () throws(BtrfsError) in
        try sysfs.setScrubSpeedLimit(devid: devid, bytesPerSecond: original)
      }
      let run = state.speedLimitRuns[devid] ?? UUID().uuidString.lowercased()
      try journal { () throws(JournalError) in
        try Journal(file: journalFile, runID: run, now: now).record(
          .scrubSpeedLimitRestored(devid: devid))
      }
      state.unrestoredSpeedLimits[devid] = nil
      notes.append(
        "device \(devid)'s scrub speed limit, left changed by an interrupted job, is back at"
          + " \(original == 0 ? "unlimited" : "\(ByteCount(original))/s")")
    }
    return notes
  }
}

/// The job locks (see ``FilesystemLock/takeJobLocks(fsid:runtimeDirectory:btrfsMaintenanceDirectory:wait:onWait:)``),
/// with a refusal as a maintenance job's.
func takeMaintenanceLocks(
  fsid: String, runtimeDirectory: String, btrfsMaintenanceDirectory: String?, wait: Bool,
  giveUp: () -> Bool, onWait: (String) -> Void
) throws(MaintenanceFailure) -> [FilesystemLock] {
  do {
    return try FilesystemLock.takeJobLocks(
      fsid: fsid, runtimeDirectory: runtimeDirectory,
      btrfsMaintenanceDirectory: btrfsMaintenanceDirectory, wait: wait, giveUp: giveUp,
      onWait: onWait)
  } catch .refused(let refusal) {
    throw .refused(.run(refusal))
  } catch .journal(let error) {
    throw .journal(error)
  } catch {
    throw .journal(.io(operation: "lock", path: runtimeDirectory, errno: .ioError))
  }
}

func kernel<Value>(_ body: () throws(BtrfsError) -> Value) throws(MaintenanceFailure)
  -> Value
{
  do { return try body() } catch { throw .kernel(error) }
}

func journal<Value>(_ body: () throws(JournalError) -> Value) throws(MaintenanceFailure)
  -> Value
{
  do { return try body() } catch { throw .journal(error) }
}
