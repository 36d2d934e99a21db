/// One device extent: the physical range of a device that holds one stripe of a chunk. A scrub
/// walks a device by its device extents, and always scrubs one whole (the kernel cannot start
/// inside one).
public struct DeviceExtent: Hashable, Sendable, Codable {
  /// The device.
  public var devid: UInt64
  /// The physical byte offset on the device where the extent starts.
  public var physical: UInt64
  /// Its length in bytes.
  public var length: UInt64
  /// The logical address of the chunk it belongs to.
  public var chunkVaddr: UInt64

  public init(devid: UInt64, physical: UInt64, length: UInt64, chunkVaddr: UInt64) {
    self.devid = devid
    self.physical = physical
    self.length = length
    self.chunkVaddr = chunkVaddr
  }

  /// The first physical byte after the extent.
  public var end: UInt64 { physical + length }
}
