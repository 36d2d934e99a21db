import Foundation

/// A snapshot of everything a scheduler needs to know about a filesystem's space: devices, space info,
/// block groups and chunks, taken at one instant. It is a plain value: saved as JSON it lets anyone plan
/// against a filesystem without root and without btrfs.
public struct Layout: Hashable, Sendable, Codable {
  /// The filesystem's UUID (fsid), in the usual 8-4-4-4-12 form.
  public var fsid: String
  /// Where the filesystem was mounted when the snapshot was taken, if it was read from a mount.
  public var mountpoint: String?
  /// When the snapshot was taken.
  public var capturedAt: Date
  /// The size of a metadata node in bytes.
  public var nodeSize: UInt32
  /// The size of a sector in bytes.
  public var sectorSize: UInt32
  /// Whether block groups live in their own tree (the `block-group-tree` feature).
  public var hasBlockGroupTree: Bool
  /// The filesystem's devices.
  public var devices: [DeviceInfo]
  /// Allocation and use per type and profile.
  public var spaceInfo: [SpaceInfo]
  /// Every block group, in ascending logical address.
  public var blockGroups: [BlockGroup]
  /// Every chunk, in ascending logical address (parallel to `blockGroups`).
  public var chunks: [Chunk]
  /// The size of a new chunk of each type, where the kernel reports it (sysfs `allocation/<type>/chunk_size`).
  public var chunkSizes: [BlockGroupType: UInt64]
  /// The extents of every data block group, in ascending logical address, when they were read
  /// (``FileSystem/detailedLayout(mountpoint:)``); `nil` in a plain layout and in layout files
  /// saved before they were kept, which predict relocations by bytes alone.
  public var extents: [BlockGroupExtents]?

  public init(
    fsid: String, mountpoint: String?, capturedAt: Date, nodeSize: UInt32, sectorSize: UInt32,
    hasBlockGroupTree: Bool, devices: [DeviceInfo], spaceInfo: [SpaceInfo],
    blockGroups: [BlockGroup], chunks: [Chunk], chunkSizes: [BlockGroupType: UInt64],
    extents: [BlockGroupExtents]? = nil
  ) {
    self.fsid = fsid
    self.mountpoint = mountpoint
    self.capturedAt = capturedAt
    self.nodeSize = nodeSize
    self.sectorSize = sectorSize
    self.hasBlockGroupTree = hasBlockGroupTree
    self.devices = devices
    self.spaceInfo = spaceInfo
    self.blockGroups = blockGroups
    self.chunks = chunks
    self.chunkSizes = chunkSizes
    self.extents = extents
  }

  /// The total size of all devices.
  public var totalBytes: UInt64 { devices.totalBytes }
  /// Bytes of all devices not allocated to any chunk.
  public var unallocatedBytes: UInt64 { devices.unallocatedBytes }
  /// The block group at exactly this logical address, if there is one.
  public func blockGroup(at vaddr: UInt64) -> BlockGroup? {
    Self.element(of: blockGroups, at: vaddr, address: \.vaddr)
  }

  /// The chunk at exactly this logical address, if there is one.
  public func chunk(at vaddr: UInt64) -> Chunk? {
    Self.element(of: chunks, at: vaddr, address: \.vaddr)
  }

  /// The element of `sorted` (ascending by `address`) whose address is exactly `vaddr`.
  private static func element<Element>(
    of sorted: [Element], at vaddr: UInt64, address: KeyPath<Element, UInt64>
  ) -> Element? {
    var low = 0
    var high = sorted.count
    while low < high {
      let middle = (low + high) / 2
      if sorted[middle][keyPath: address] < vaddr { low = middle + 1 } else { high = middle }
    }
    return low < sorted.count && sorted[low][keyPath: address] == vaddr ? sorted[low] : nil
  }
}
