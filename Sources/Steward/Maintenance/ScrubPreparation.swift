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
  /// The directories, locks, clock and power supply.
  public var environment: JobEnvironment
  /// Start a new job even when the interval has not passed.
  public var ignoreInterval: Bool

  public init(policy: Policy, environment: JobEnvironment, ignoreInterval: Bool = false) {
    self.policy = policy
    self.environment = environment
    self.ignoreInterval = ignoreInterval
  }

  /// Prepares a scrub job on `fileSystem`, the filesystem `fsid`.
  public func prepare(fileSystem: FileSystem, fsid: String, sysfs: SysfsFacts)
    throws(MaintenanceFailure)
    -> PreparedScrub
  {
    guard let scrub = policy.scrub else { throw .refused(.notInPolicy(job: "scrub")) }
    let locks = try environment.takeMaintenanceLocks(fsid: fsid)
    let journalFile = try journal { () throws(JournalError) in
      try environment.journalFile(fsid: fsid)
    }
    var state = MaintenanceReplay.state(
      try journal { () throws(JournalError) in try journalFile.read() }.records)
    var notes = try restoreSpeedLimits(&state, sysfs: sysfs, journalFile: journalFile)
    guard policy.withWindows(scrub.windows).isWithinWindow(at: environment.now()) else {
      throw .refused(.run(.outsideWindow))
    }
    if policy.conditions.requiresACPower, !environment.isOnMains() {
      throw .refused(.run(.onBattery))
    }
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
      if environment.now() < due {
        throw .refused(.notDue(job: "scrub", last: last.lastRecordAt, due: due))
      }
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
        try Journal(file: journalFile, runID: run, now: environment.now).record(
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

extension JobEnvironment {
  /// The job locks (see ``takeJobLocks(fsid:)``), with a refusal as a maintenance job's.
  func takeMaintenanceLocks(fsid: String) throws(MaintenanceFailure) -> [FilesystemLock] {
    do {
      return try takeJobLocks(fsid: fsid)
    } catch .refused(let refusal) {
      throw .refused(.run(refusal))
    } catch .journal(let error) {
      throw .journal(error)
    } catch {
      throw .journal(.io(operation: "lock", path: runtimeDirectory, errno: .ioError))
    }
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
