import CBtrfs
import Foundation

/// The cgroup v2 hierarchy: where it is mounted, and cgroup paths in it (`/user.slice`, as
/// `/proc/PID/cgroup` names them), read as hostile. The mountpoint is `/sys/fs/cgroup` on a
/// unified system or `/sys/fs/cgroup/unified` on a hybrid one, checked to be cgroup2 by its
/// filesystem magic and opened without following symlinks.
public enum CgroupHierarchy {
  /// `CGROUP2_SUPER_MAGIC`.
  static let magic: UInt = 0x6367_7270
  /// Where cgroup v2 may be mounted, in the order looked at.
  static let candidates = ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"]

  /// The cgroup v2 mountpoint, or an error naming what was found instead.
  public static func mountpoint() throws(PressureError) -> String {
    for candidate in candidates where isCgroup2Directory(candidate) { return candidate }
    throw .unreadable(
      path: candidates[0],
      reason: "no cgroup v2 hierarchy at \(candidates.joined(separator: " or "))")
  }

  /// Whether `path` is a cgroup path usable below the root: absolute, not the root itself, no
  /// empty, `.` or `..` components, no control characters, at most 4096 bytes.
  public static func isValidPath<Text: StringProtocol>(_ path: Text) -> Bool {
    let components = path.split(separator: "/", omittingEmptySubsequences: false)
    return path.hasPrefix("/") && path != "/" && path.utf8.count <= 4096
      && components.dropFirst().allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
      && path.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f })
  }

  /// Whether `path` is a directory on cgroup2, reached without following a symlink.
  static func isCgroup2Directory(_ path: String) -> Bool {
    var directory = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard directory >= 0 else { return false }
    for component in path.split(separator: "/") {
      let next = openat(
        directory, String(component), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      close(directory)
      guard next >= 0 else { return false }
      directory = next
    }
    defer { close(directory) }
    var found: UInt = 0
    return cbtrfs_filesystem_magic(directory, &found) == 0 && found == magic
  }
}
