import Btrfs

/// One device's space before a plan and as the relocation model predicts it after: where the
/// moved block groups land decides which devices gain and which fill up.
public struct PredictedDevice: Hashable, Sendable, Codable {
  /// The device id inside the filesystem.
  public var devid: UInt64
  /// The path of the block device.
  public var path: String
  /// The device's size available to btrfs.
  public var sizeBytes: UInt64
  /// Bytes allocated to no chunk before the first operation.
  public var unallocatedBeforeBytes: UInt64
  /// Bytes allocated to no chunk after the last operation, predicted.
  public var unallocatedAfterBytes: UInt64
  /// Unallocated bytes no new chunk can use before the first operation (see
  /// ``DeviceSpaceReport/Device/unallocatableSoftBytes``).
  public var unallocatableSoftBeforeBytes: UInt64
  /// The same after the last operation, predicted.
  public var unallocatableSoftAfterBytes: UInt64

  /// Every device of `before` beside its state in `after`, the same filesystem later.
  static func pairs(before: Layout, after: Layout) -> [PredictedDevice] {
    let spaceBefore = DeviceSpaceReport(before).devices
    let spaceAfter = DeviceSpaceReport(after).devices
    return zip(spaceBefore, spaceAfter).map { before, after in
      PredictedDevice(
        devid: before.devid, path: before.path, sizeBytes: before.sizeBytes,
        unallocatedBeforeBytes: before.unallocatedBytes,
        unallocatedAfterBytes: after.unallocatedBytes,
        unallocatableSoftBeforeBytes: before.unallocatableSoftBytes,
        unallocatableSoftAfterBytes: after.unallocatableSoftBytes)
    }
  }
}
