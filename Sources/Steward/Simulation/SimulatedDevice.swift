import Btrfs

/// One device of the model: its size, and how much of it chunks take.
struct SimulatedDevice {
  let devid: UInt64
  let totalBytes: UInt64
  private(set) var allocatedBytes: UInt64
  /// The physical offset a new stripe goes to: past the highest stripe on the device. The model
  /// counts bytes per device, not holes, so offsets of created stripes are indicative only.
  private(set) var nextOffset: UInt64 = 0

  init(_ device: DeviceInfo) {
    devid = device.devid
    totalBytes = device.totalBytes
    allocatedBytes = device.allocatedBytes
  }

  var unallocatedBytes: UInt64 { totalBytes - min(allocatedBytes, totalBytes) }

  mutating func allocate(_ bytes: UInt64, at offset: UInt64) {
    allocatedBytes += bytes
    nextOffset = max(nextOffset, offset + bytes)
  }

  mutating func release(_ bytes: UInt64) { allocatedBytes -= min(bytes, allocatedBytes) }

  mutating func placeAfter(_ offset: UInt64) { nextOffset = max(nextOffset, offset) }
}
