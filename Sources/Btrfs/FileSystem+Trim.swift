import CBtrfs
import SystemPackage

extension FileSystem {
  /// Discards the filesystem's free space (FITRIM over the whole filesystem), skipping free ranges
  /// shorter than `minimumLength`, and returns the bytes the kernel reports trimmed.
  ///
  /// - Throws: ``BtrfsError/trimNotSupported(path:)`` when no device of the filesystem supports
  ///   discard, ``BtrfsError/notPermitted(operation:path:)`` without CAP_SYS_ADMIN.
  public func trim(minimumLength: UInt64 = 0) throws(BtrfsError) -> UInt64 {
    var range = fstrim_range(start: 0, len: .max, minlen: minimumLength)
    do {
      try ioctl("FITRIM", CBTRFS_IOC_FITRIM, &range)
    } catch .systemCall(_, _, let errno) where errno == .notSupported {
      throw .trimNotSupported(path: path)
    }
    return range.len
  }
}
