import Foundation

extension FileSystem {
  /// The sysfs facts of this filesystem.
  public func sysfs() throws(BtrfsError) -> SysfsFacts {
    SysfsFacts(fsid: try info().fsid)
  }

  /// A snapshot of the whole layout: devices, space info, chunks and block groups.
  public func layout(mountpoint: String? = nil) throws(BtrfsError) -> Layout {
    let info = try info()
    return try layout(
      mountpoint: mountpoint, info: info,
      blockGroups: try blockGroups(hasBlockGroupTree: info.features.hasBlockGroupTree),
      extents: nil)
  }

  /// The layout around `blockGroups` (and `extents`) already read.
  func layout(
    mountpoint: String?, info: FilesystemInfo, blockGroups: [BlockGroup],
    extents: [BlockGroupExtents]?
  ) throws(BtrfsError) -> Layout {
    let chunks = try chunks()
    let chunkSizes = SysfsFacts(fsid: info.fsid).chunkSizes()
    return Layout(
      fsid: info.fsid,
      mountpoint: mountpoint ?? path,
      capturedAt: Date(),
      nodeSize: info.nodeSize,
      sectorSize: info.sectorSize,
      hasBlockGroupTree: info.features.hasBlockGroupTree,
      devices: try devices(upTo: info.maxDeviceID),
      spaceInfo: try spaceInfo(),
      blockGroups: blockGroups,
      chunks: chunks,
      chunkSizes: chunkSizes,
      extents: extents
    )
  }
}
