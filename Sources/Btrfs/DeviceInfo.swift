/// One device of a filesystem, as DEV_INFO reports it.
public struct DeviceInfo: Hashable, Sendable, Codable {
  /// The device id inside the filesystem.
  public var devid: UInt64
  /// The device's UUID.
  public var uuid: String
  /// The path of the block device (as the kernel knows it).
  public var path: String
  /// The size of the device available to btrfs.
  public var totalBytes: UInt64
  /// The bytes of the device allocated to chunks (dev extents).
  public var allocatedBytes: UInt64

  public init(devid: UInt64, uuid: String, path: String, totalBytes: UInt64, allocatedBytes: UInt64)
  {
    self.devid = devid
    self.uuid = uuid
    self.path = path
    self.totalBytes = totalBytes
    self.allocatedBytes = allocatedBytes
  }

  /// Bytes of the device not allocated to any chunk.
  public var unallocatedBytes: UInt64 { totalBytes - min(allocatedBytes, totalBytes) }
}

extension Array where Element == DeviceInfo {
  /// The total size of the devices.
  public var totalBytes: UInt64 { reduce(0) { $0 + $1.totalBytes } }
  /// Bytes of the devices not allocated to any chunk.
  public var unallocatedBytes: UInt64 { reduce(0) { $0 + $1.unallocatedBytes } }
}
