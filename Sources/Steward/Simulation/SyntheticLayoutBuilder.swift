import Btrfs
import Foundation

/// Lays block groups one after another in logical address and stripes their chunks over devices in
/// turn, keeping device allocation and space info in step; ``SyntheticLayout`` drives it.
struct SyntheticLayoutBuilder {
  private var blockGroups: [BlockGroup] = []
  private var chunks: [Chunk] = []
  private var deviceEnds: [UInt64]
  private var nextDevice = 0
  private var vaddr: UInt64 = 1 << 20
  private var space: [BlockGroupFlags: (total: UInt64, used: UInt64)] = [:]
  private var spaceOrder: [BlockGroupFlags] = []

  init(deviceCount: Int) {
    deviceEnds = Array(repeating: 0, count: deviceCount)
  }

  /// Appends a block group and its chunk, on the next devices in turn.
  mutating func add(length: UInt64, used: UInt64, flags: BlockGroupFlags) {
    let profile = flags.profile
    let deviceCount = deviceEnds.count
    let used = min(used, length)
    let devicesUsed = min(profile.deviceCounts.maximum ?? deviceCount, deviceCount)
    let stripeCount = profile.stripeCount(devices: devicesUsed)
    let stripeLength = length / UInt64(profile.dataStripes(stripes: stripeCount))
    var stripes: [Chunk.Stripe] = []
    for stripe in 0..<stripeCount {
      let device = (nextDevice + stripe * devicesUsed / stripeCount) % deviceCount
      stripes.append(Chunk.Stripe(devid: UInt64(device + 1), offset: deviceEnds[device]))
      deviceEnds[device] += stripeLength
    }
    nextDevice = (nextDevice + 1) % deviceCount
    blockGroups.append(BlockGroup(vaddr: vaddr, length: length, used: used, flags: flags))
    chunks.append(Chunk(vaddr: vaddr, length: length, flags: flags, stripes: stripes))
    vaddr += length
    if space[flags] == nil { spaceOrder.append(flags) }
    space[flags, default: (0, 0)].total += length
    space[flags, default: (0, 0)].used += used
  }

  /// The layout of everything added, with `unallocatedBytesPerDevice` left on each device.
  func layout(
    fsid: String, capturedAt: Date, unallocatedBytesPerDevice: UInt64,
    chunkSizes: [BlockGroupType: UInt64]
  ) -> Layout {
    let devices = deviceEnds.enumerated().map { index, end in
      DeviceInfo(
        devid: UInt64(index + 1),
        uuid: String(format: "de71ce00-0000-4000-8000-%012x", index + 1),
        path: "/dev/synthetic\(index + 1)",
        totalBytes: end + unallocatedBytesPerDevice,
        allocatedBytes: end)
    }
    let spaceInfo =
      spaceOrder.map { SpaceInfo(flags: $0, total: space[$0]!.total, used: space[$0]!.used) }
      + [SpaceInfo(flags: [], total: 512 << 20, used: 0, isGlobalReserve: true)]
    return Layout(
      fsid: fsid, mountpoint: nil, capturedAt: capturedAt, nodeSize: 16384, sectorSize: 4096,
      hasBlockGroupTree: true, devices: devices, spaceInfo: spaceInfo, blockGroups: blockGroups,
      chunks: chunks, chunkSizes: chunkSizes)
  }
}
