import CBtrfs
import Foundation
import SystemPackage

extension FileSystem {
  /// Every device of the filesystem, by DEV_INFO for each device id up to the highest in use.
  public func devices() throws(BtrfsError) -> [DeviceInfo] {
    try devices(upTo: info().maxDeviceID)
  }

  /// Every device with an id up to `maxDeviceID`, for a caller that has read FS_INFO already.
  func devices(upTo maxDeviceID: UInt64) throws(BtrfsError) -> [DeviceInfo] {
    var devices: [DeviceInfo] = []
    for devid in 1...max(maxDeviceID, 1) {
      if let device = try device(devid) { devices.append(device) }
    }
    return devices
  }

  /// One device by id, or `nil` when no device has that id (ids may have gaps after removals).
  public func device(_ devid: UInt64) throws(BtrfsError) -> DeviceInfo? {
    var arguments = btrfs_ioctl_dev_info_args()
    arguments.devid = devid
    do {
      try ioctl("DEV_INFO", CBTRFS_IOC_DEV_INFO, &arguments)
    } catch .systemCall(_, _, let errno) where errno == .operationNotSupportedByDevice {
      return nil
    }
    let devicePath = withUnsafeBytes(of: arguments.path) { bytes in
      String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
    return DeviceInfo(
      devid: arguments.devid,
      uuid: UUID(uuid: arguments.uuid).uuidString.lowercased(),
      path: devicePath,
      totalBytes: arguments.total_bytes,
      allocatedBytes: arguments.bytes_used
    )
  }
}
