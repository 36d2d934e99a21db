import CBtrfs
import Glibc
import SystemPackage

/// A mounted btrfs filesystem, opened through a path on it (its mountpoint or any file or directory
/// inside). Every query and control of the kernel face is a method of this class. The descriptor is
/// closed when the value goes away. Methods may be called from several threads at once (the executor
/// pauses a balance from one thread while another is blocked starting it).
public final class FileSystem: Sendable {
  /// The path the filesystem was opened through.
  public let path: String
  /// The open descriptor the ioctls go through.
  let descriptor: FileDescriptor

  /// Opens the filesystem that `path` is on.
  ///
  /// - Throws: ``BtrfsError/notBtrfs(path:)`` when the path is on another filesystem type, or a
  ///   system-call error when it cannot be opened.
  public init(path: String) throws(BtrfsError) {
    self.path = path
    let fd = try systemCall("open", path: path) {
      Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
    }
    descriptor = FileDescriptor(rawValue: fd)
    var magic: UInt = 0
    do throws(BtrfsError) {
      try systemCall("statfs", path: path) { cbtrfs_filesystem_magic(fd, &magic) }
    } catch {
      try? descriptor.close()
      throw error
    }
    if magic != CBTRFS_SUPER_MAGIC {
      try? descriptor.close()
      throw .notBtrfs(path: path)
    }
  }

  deinit {
    try? descriptor.close()
  }
}
