import SystemPackage

/// Everything the kernel face can fail with. Each case says, in words, what failed and where; the
/// system-call cases carry the errno.
public enum BtrfsError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The path is not on a btrfs filesystem.
  case notBtrfs(path: String)
  /// The operation needs CAP_SYS_ADMIN (root).
  case notPermitted(operation: String, path: String)
  /// A system call failed.
  case systemCall(operation: String, path: String, errno: Errno)
  /// A balance is already running, or one is paused and this start did not ask to resume it.
  case balanceInProgress(path: String)
  /// There is no balance to resume, pause or cancel.
  case noBalance(path: String)
  /// Another exclusive operation (device add/remove/replace, resize, swap activation, the kernel's
  /// reclaim) holds the filesystem.
  case exclusiveOperationInProgress(path: String)
  /// The kernel ran out of space while relocating.
  case noSpace(path: String)
  /// The kernel returned an item that does not have the layout its key promises.
  case malformedItem(tree: UInt64, detail: String)
  /// A scrub (or a device replace) already runs on the device.
  case scrubInProgress(path: String, devid: UInt64)
  /// There is no scrub to cancel.
  case noScrub(path: String)
  /// The filesystem has no device with this id, or it is missing.
  case noSuchDevice(path: String, devid: UInt64)
  /// No device of the filesystem supports discard.
  case trimNotSupported(path: String)

  public var description: String {
    switch self {
    case .notBtrfs(let path):
      "\(path) is not on a btrfs filesystem"
    case .notPermitted(let operation, let path):
      "\(operation) on \(path) needs root (CAP_SYS_ADMIN)"
    case .systemCall(let operation, let path, let errno):
      "\(operation) on \(path) failed: \(errno) (errno \(errno.rawValue))"
    case .balanceInProgress(let path):
      "a balance is already running or paused on \(path)"
    case .noBalance(let path):
      "no balance is running or paused on \(path)"
    case .exclusiveOperationInProgress(let path):
      "another exclusive operation (device add/remove/replace, resize, swap activation or the kernel's reclaim) is running on \(path)"
    case .noSpace(let path):
      "the kernel ran out of space while relocating on \(path) (ENOSPC)"
    case .malformedItem(let tree, let detail):
      "malformed item in tree \(tree): \(detail)"
    case .scrubInProgress(let path, let devid):
      "a scrub (or a device replace) is already running on device \(devid) of \(path)"
    case .noScrub(let path):
      "no scrub is running on \(path)"
    case .noSuchDevice(let path, let devid):
      "\(path) has no device \(devid) (or it is missing)"
    case .trimNotSupported(let path):
      "no device of \(path) supports discard (FITRIM: EOPNOTSUPP)"
    }
  }
}
