import Btrfs
import Foundation

/// Trims a filesystem's free space (FITRIM on its mountpoint) when the policy's interval has
/// passed since the last trim, inside the trim's windows, holding the job locks — never beside a
/// balance or a scrub of the same filesystem, and not at all when `fstrim.timer` or
/// btrfsmaintenance trims it already.
public struct TrimJob: Sendable {
  public var policy: Policy
  public var stateDirectory: String
  public var runtimeDirectory: String
  public var btrfsMaintenanceDirectory: String?
  public var wait: Bool
  /// Trim even when the interval has not passed.
  public var ignoreInterval: Bool
  /// Where other tools' trim settings are read.
  public var elsewhere: TrimElsewhere
  public var now: @Sendable () -> Date
  public var isOnMains: @Sendable () -> Bool
  public var onWait: @Sendable (String) -> Void
  /// While waiting for a lock: whether to stop waiting (a signal asked the job to stop) and refuse.
  public var stopWaiting: @Sendable () -> Bool = { false }

  public init(
    policy: Policy, stateDirectory: String, runtimeDirectory: String,
    btrfsMaintenanceDirectory: String? = "/run", wait: Bool = false, ignoreInterval: Bool = false,
    elsewhere: TrimElsewhere = TrimElsewhere(), now: @escaping @Sendable () -> Date = { Date() },
    isOnMains: @escaping @Sendable () -> Bool = { PowerSupply.isOnMains() },
    onWait: @escaping @Sendable (String) -> Void = { _ in }
  ) {
    self.policy = policy
    self.stateDirectory = stateDirectory
    self.runtimeDirectory = runtimeDirectory
    self.btrfsMaintenanceDirectory = btrfsMaintenanceDirectory
    self.wait = wait
    self.ignoreInterval = ignoreInterval
    self.elsewhere = elsewhere
    self.now = now
    self.isOnMains = isOnMains
    self.onWait = onWait
  }

  /// Trims `fileSystem` (the filesystem `fsid`, mounted at `mountpoint`); the bytes trimmed.
  public func run(fileSystem: FileSystem, fsid: String, mountpoint: String)
    throws(MaintenanceFailure) -> UInt64
  {
    guard let trim = policy.trim else { throw .refused(.notInPolicy(job: "trim")) }
    if let reason = elsewhere.reason(mountpoint: mountpoint) {
      throw .refused(.trimElsewhere(reason: reason))
    }
    let locks = try takeMaintenanceLocks(
      fsid: fsid, runtimeDirectory: runtimeDirectory,
      btrfsMaintenanceDirectory: btrfsMaintenanceDirectory, wait: wait, giveUp: stopWaiting,
      onWait: onWait)
    defer { withExtendedLifetime(locks) {} }
    guard policy.withWindows(trim.windows).isWithinWindow(at: now()) else {
      throw .refused(.run(.outsideWindow))
    }
    if policy.conditions.requiresACPower, !isOnMains() { throw .refused(.run(.onBattery)) }
    if try kernel({ () throws(BtrfsError) in try fileSystem.balanceProgress() })?.isRunning == true
    {
      throw .refused(.balanceRunning(path: mountpoint))
    }
    for device in try kernel({ () throws(BtrfsError) in try fileSystem.devices() })
    where try kernel({ () throws(BtrfsError) in try fileSystem.scrubProgress(devid: device.devid) })
      != nil
    {
      throw .refused(.scrubRunning(path: mountpoint))
    }
    let journalFile = try journal { () throws(JournalError) in
      try JournalFile(stateDirectory: stateDirectory, fsid: fsid)
    }
    let state = MaintenanceReplay.state(
      try journal { () throws(JournalError) in try journalFile.read() }.records)
    if !ignoreInterval, let last = state.lastTrim {
      let due = last.time.addingTimeInterval(trim.interval.seconds)
      if now() < due { throw .refused(.notDue(job: "trim", last: last.time, due: due)) }
    }
    let trimmed = try kernel { () throws(BtrfsError) in
      try fileSystem.trim(minimumLength: trim.minimumExtent)
    }
    try journal { () throws(JournalError) in
      try Journal(file: journalFile, runID: UUID().uuidString.lowercased(), now: now).record(
        .trimFinished(trimmedBytes: trimmed))
    }
    return trimmed
  }
}
