import CBtrfs
import Glibc
import SystemPackage

/// Runs a system call, retrying it while it fails with EINTR, and turns any other failure into a
/// ``BtrfsError`` that names the operation, the path and the errno. This is the one place where
/// EINTR is handled.
@discardableResult
func systemCall(
  _ operation: String, path: String, _ call: () -> Int32
) throws(BtrfsError) -> Int32 {
  while true {
    let result = call()
    if result >= 0 { return result }
    let errno = Errno(rawValue: Glibc.errno)
    if errno == .interrupted { continue }
    if errno == .notPermitted || errno == .permissionDenied {
      throw .notPermitted(operation: operation, path: path)
    }
    throw .systemCall(operation: operation, path: path, errno: errno)
  }
}

extension FileSystem {
  /// Issues an ioctl whose argument is a pointer to `argument`.
  @discardableResult
  func ioctl<Argument>(
    _ operation: String, _ request: UInt, _ argument: inout Argument
  ) throws(BtrfsError) -> Int32 {
    let descriptor = descriptor.rawValue
    return try systemCall(operation, path: path) {
      withUnsafeMutablePointer(to: &argument) {
        cbtrfs_ioctl_pointer(descriptor, request, UnsafeMutableRawPointer($0))
      }
    }
  }

  /// Issues an ioctl whose argument is a raw buffer.
  @discardableResult
  func ioctl(
    _ operation: String, _ request: UInt, buffer: UnsafeMutableRawPointer
  ) throws(BtrfsError) -> Int32 {
    let descriptor = descriptor.rawValue
    return try systemCall(operation, path: path) {
      cbtrfs_ioctl_pointer(descriptor, request, buffer)
    }
  }
}
