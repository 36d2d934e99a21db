import Glibc
import SystemPackage

/// An exclusive, non-blocking flock(2) held for as long as the value lives: btrfs-steward's own lock
/// of a filesystem, and btrfsmaintenance's, so that neither two runs nor the two tools ever balance
/// one filesystem at once.
public final class FilesystemLock: Sendable {
  /// The lock file.
  public let path: String
  private let descriptor: Int32

  /// Why a lock could not be taken.
  public enum Failure: Error, Hashable, Sendable, CustomStringConvertible {
    /// Another process holds it.
    case held(path: String)
    /// The lock file could not be opened.
    case unavailable(path: String, errno: Errno)

    public var description: String {
      switch self {
      case .held(let path): "another process holds \(path)"
      case .unavailable(let path, let errno): "cannot open lock file \(path): \(errno)"
      }
    }
  }

  /// Takes the lock at `path` (creating the file, never through a symbolic link), waiting for it when
  /// `wait` is true — polling, so that a run asked to stop (`giveUp`) while it waits stops waiting
  /// and reports the lock as held.
  public init(path: String, wait: Bool = false, giveUp: () -> Bool = { false }) throws(Failure) {
    self.path = path
    let descriptor = Glibc.open(path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0o600)
    guard descriptor >= 0 else {
      throw .unavailable(path: path, errno: Errno(rawValue: Glibc.errno))
    }
    while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
      let errno = Glibc.errno
      if errno == EINTR { continue }
      if errno == EWOULDBLOCK, wait, !giveUp() {
        usleep(200_000)
        continue
      }
      close(descriptor)
      throw errno == EWOULDBLOCK
        ? .held(path: path) : .unavailable(path: path, errno: Errno(rawValue: errno))
    }
    self.descriptor = descriptor
  }

  deinit {
    close(descriptor)
  }

  /// btrfs-steward's lock for the filesystem `fsid`, under `runtimeDirectory`.
  public static func stewardLockPath(fsid: String, runtimeDirectory: String) -> String {
    runtimeDirectory + "/" + fsid + ".lock"
  }

  /// btrfsmaintenance's lock for the filesystem `fsid`, which its scripts flock in `/run`.
  public static func btrfsMaintenanceLockPath(fsid: String, directory: String = "/run") -> String {
    directory + "/btrfs-maintenance-running." + fsid
  }
}
