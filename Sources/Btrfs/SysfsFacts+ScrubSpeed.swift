import Glibc
import SystemPackage

extension SysfsFacts {
  /// Device `devid`'s scrub speed limit in bytes per second (`devinfo/<devid>/scrub_speed_max`,
  /// 0 = unlimited), or `nil` when this kernel (before 5.14) has no such setting.
  public func scrubSpeedLimit(devid: UInt64) -> UInt64? {
    read("devinfo/\(devid)/scrub_speed_max").flatMap { UInt64($0) }
  }

  /// Sets device `devid`'s scrub speed limit in bytes per second (0 = unlimited). It applies to
  /// the running scrub at once and to later ones until changed; it does not survive a remount.
  public func setScrubSpeedLimit(devid: UInt64, bytesPerSecond: UInt64) throws(BtrfsError) {
    let path = directory.appending("devinfo/\(devid)/scrub_speed_max").string
    let descriptor = try systemCall("open", path: path) {
      Glibc.open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW)
    }
    defer { close(descriptor) }
    let text = Array("\(bytesPerSecond)\n".utf8)
    let written = try systemCall("write", path: path) {
      Int32(text.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) })
    }
    guard written == text.count else {
      throw .systemCall(operation: "write", path: path, errno: .ioError)
    }
  }
}
