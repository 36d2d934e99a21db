import Btrfs
import Foundation

/// Trims a filesystem's free space (FITRIM on its mountpoint) when the policy's interval has
/// passed since the last trim, inside the trim's windows, holding the job locks — never beside a
/// balance or a scrub of the same filesystem, and not at all when `fstrim.timer` or
/// btrfsmaintenance trims it already.
public struct TrimJob: Sendable {
  public var policy: Policy
  /// The directories, locks, clock and power supply.
  public var environment: JobEnvironment
  /// Trim even when the interval has not passed.
  public var ignoreInterval: Bool
  /// Where other tools' trim settings are read.
  public var elsewhere: TrimElsewhere

  public init(
    policy: Policy, environment: JobEnvironment, ignoreInterval: Bool = false,
    elsewhere: TrimElsewhere = TrimElsewhere()
  ) {
    self.policy = policy
    self.environment = environment
    self.ignoreInterval = ignoreInterval
    self.elsewhere = elsewhere
  }

  /// Trims `fileSystem` (the filesystem `fsid`, mounted at `mountpoint`); the bytes trimmed.
  public func run(fileSystem: FileSystem, fsid: String, mountpoint: String)
    throws(MaintenanceFailure) -> UInt64
  {
    guard let trim = policy.trim else { throw .refused(.notInPolicy(job: "trim")) }
    if let reason = elsewhere.reason(mountpoint: mountpoint) {
      throw .refused(.trimElsewhere(reason: reason))
    }
    let locks = try environment.takeMaintenanceLocks(fsid: fsid)
    defer { withExtendedLifetime(locks) {} }
    guard policy.withWindows(trim.windows).isWithinWindow(at: environment.now()) else {
      throw .refused(.run(.outsideWindow))
    }
    if policy.conditions.requiresACPower, !environment.isOnMains() {
      throw .refused(.run(.onBattery))
    }
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
      try environment.journalFile(fsid: fsid)
    }
    let state = MaintenanceReplay.state(
      try journal { () throws(JournalError) in try journalFile.read() }.records)
    if !ignoreInterval, let last = state.lastTrim {
      let due = last.time.addingTimeInterval(trim.interval.seconds)
      if environment.now() < due { throw .refused(.notDue(job: "trim", last: last.time, due: due)) }
    }
    let trimmed = try kernel { () throws(BtrfsError) in
      try fileSystem.trim(minimumLength: trim.minimumExtent)
    }
    try journal { () throws(JournalError) in
      try Journal(file: journalFile, runID: UUID().uuidString.lowercased(), now: environment.now)
        .record(
          .trimFinished(trimmedBytes: trimmed))
    }
    return trimmed
  }
}
