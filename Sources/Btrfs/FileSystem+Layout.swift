import Foundation

extension FileSystem {
  /// The sysfs facts of this filesystem.
  public func sysfs() throws(BtrfsError) -> SysfsFacts {
    SysfsFacts(fsid: try info().fsid)
  }

  /// A snapshot of the whole layout: devices, space info, chunks and block groups.
  public func layout(mountpoint: String? = nil) throws(BtrfsError) -> Layout {
    let info = try info()
    return try layout(mountpoint: mountpoint, info: info) { () throws(BtrfsError) in
      (try blockGroups(hasBlockGroupTree: info.features.hasBlockGroupTree), nil)
    }
  }

  /// The layout around the block groups (and extents) that `readBlockGroups` reads on this thread.
  /// The rest — the chunk tree, the devices, space info and the sysfs chunk sizes — does not depend
  /// on them and is read meanwhile on a second thread: the chunk tree has an item per block group
  /// too, and reading it costs about half of what a pass over the extent tree does.
  func layout(
    mountpoint: String?, info: FilesystemInfo,
    readBlockGroups: () throws(BtrfsError) -> ([BlockGroup], [BlockGroupExtents]?)
  ) throws(BtrfsError) -> Layout {
    let surroundings = BackgroundRead { [self] () throws(BtrfsError) in
      (
        chunks: try chunks(), devices: try devices(upTo: info.maxDeviceID),
        spaceInfo: try spaceInfo(), chunkSizes: SysfsFacts(fsid: info.fsid).chunkSizes()
      )
    }
    let blockGroups: [BlockGroup]
    let extents: [BlockGroupExtents]?
    do {
      (blockGroups, extents) = try readBlockGroups()
    } catch {
      // No read of the filesystem outlives the call.
      _ = try? surroundings.wait()
      throw error
    }
    let rest = try surroundings.wait()
    return Layout(
      fsid: info.fsid,
      mountpoint: mountpoint ?? path,
      capturedAt: Date(),
      nodeSize: info.nodeSize,
      sectorSize: info.sectorSize,
      hasBlockGroupTree: info.features.hasBlockGroupTree,
      devices: rest.devices,
      spaceInfo: rest.spaceInfo,
      blockGroups: blockGroups,
      chunks: rest.chunks,
      chunkSizes: rest.chunkSizes,
      extents: extents
    )
  }
}
