import Glibc
import SystemPackage

extension FilesystemLock {
  /// The locks every job of one filesystem holds — balance, scrub and trim alike, so no two ever
  /// overlap: btrfs-steward's own, then btrfsmaintenance's (unless `btrfsMaintenanceDirectory` is
  /// `nil`). With `wait`, a lock another process holds is waited for, after `onWait` was told
  /// which, until it is free or `giveUp` says to stop (``RunRefusal/stoppedWhileWaiting(waitedFor:)``
  /// then); without, it is a refusal.
  static func takeJobLocks(
    fsid: String, runtimeDirectory: String, btrfsMaintenanceDirectory: String?, wait: Bool,
    giveUp: () -> Bool = { false }, onWait: (String) -> Void = { _ in }
  ) throws(RunPreparation.Failure) -> [FilesystemLock] {
    if mkdir(runtimeDirectory, 0o755) != 0, errno != EEXIST {
      throw .journal(
        .io(operation: "mkdir", path: runtimeDirectory, errno: .init(rawValue: errno)))
    }
    let steward = stewardLockPath(fsid: fsid, runtimeDirectory: runtimeDirectory)
    var locks = [
      try take(
        steward, wait: wait, giveUp: giveUp, refusal: .lockedBySteward(lockFile: steward),
        holder: "another btrfs-steward job, which holds \(steward)", onWait: onWait)
    ]
    if let btrfsMaintenanceDirectory {
      let path = btrfsMaintenanceLockPath(fsid: fsid, directory: btrfsMaintenanceDirectory)
      locks.append(
        try take(
          path, wait: wait, giveUp: giveUp, refusal: .lockedByBtrfsMaintenance(lockFile: path),
          holder: "btrfsmaintenance, which holds \(path)", onWait: onWait))
    }
    return locks
  }

  /// The lock at `path`; `holder` says who holds it when it is held.
  private static func take(
    _ path: String, wait: Bool, giveUp: () -> Bool, refusal: RunRefusal, holder: String,
    onWait: (String) -> Void
  ) throws(RunPreparation.Failure) -> FilesystemLock {
    do {
      return try FilesystemLock(path: path, wait: false)
    } catch .held {
      guard wait else { throw .refused(refusal) }
      onWait("waiting for " + holder)
    } catch {
      throw .journal(.io(operation: "lock", path: path, errno: error.errno))
    }
    do {
      return try FilesystemLock(path: path, wait: true, giveUp: giveUp)
    } catch .held {
      throw .refused(giveUp() ? .stoppedWhileWaiting(waitedFor: holder) : refusal)
    } catch {
      throw .journal(.io(operation: "lock", path: path, errno: error.errno))
    }
  }
}
