import Foundation

/// What every job on a filesystem — a balance run, a scrub, a trim — prepares in: where its state
/// and locks live, whether it waits for locks, the clock and the power supply. One value, so the
/// three preparations cannot drift apart.
public struct JobEnvironment: Sendable {
  /// Where the journals live (`/var/lib/btrfs-steward`).
  public var stateDirectory: String
  /// Where btrfs-steward's own locks live (`/run/btrfs-steward`).
  public var runtimeDirectory: String
  /// Where btrfsmaintenance's lock lives (`/run`), or `nil` to ignore it.
  public var btrfsMaintenanceDirectory: String?
  /// Wait for locks (and, for a balance run, exclusive operations) instead of refusing.
  public var wait: Bool
  /// The clock.
  public var now: @Sendable () -> Date
  /// Whether the machine is on mains power.
  public var isOnMains: @Sendable () -> Bool
  /// Told what the job waits for, when it waits.
  public var onWait: @Sendable (String) -> Void
  /// While waiting: whether to stop waiting (a signal asked the job to stop) and refuse as if not
  /// waiting.
  public var stopWaiting: @Sendable () -> Bool

  public init(
    stateDirectory: String, runtimeDirectory: String, btrfsMaintenanceDirectory: String? = "/run",
    wait: Bool = false, now: @escaping @Sendable () -> Date = { Date() },
    isOnMains: @escaping @Sendable () -> Bool = { PowerSupply.isOnMains() },
    onWait: @escaping @Sendable (String) -> Void = { _ in },
    stopWaiting: @escaping @Sendable () -> Bool = { false }
  ) {
    self.stateDirectory = stateDirectory
    self.runtimeDirectory = runtimeDirectory
    self.btrfsMaintenanceDirectory = btrfsMaintenanceDirectory
    self.wait = wait
    self.now = now
    self.isOnMains = isOnMains
    self.onWait = onWait
    self.stopWaiting = stopWaiting
  }

  /// The job locks of the filesystem `fsid` (see
  /// ``FilesystemLock/takeJobLocks(fsid:runtimeDirectory:btrfsMaintenanceDirectory:wait:giveUp:onWait:)``),
  /// waited for as ``wait`` says.
  func takeJobLocks(fsid: String) throws(RunPreparation.Failure) -> [FilesystemLock] {
    try FilesystemLock.takeJobLocks(
      fsid: fsid, runtimeDirectory: runtimeDirectory,
      btrfsMaintenanceDirectory: btrfsMaintenanceDirectory, wait: wait, giveUp: stopWaiting,
      onWait: onWait)
  }

  /// The journal of the filesystem `fsid`.
  func journalFile(fsid: String) throws(JournalError) -> JournalFile {
    try JournalFile(stateDirectory: stateDirectory, fsid: fsid)
  }
}
