import CBtrfs

extension FileSystem {
  /// The extents of each data (and mixed) block group of `blockGroups`, read from the extent tree
  /// with one linear search per block group, in the order given; `nil` when they hold more than
  /// `maxExtents` extents together (reading would cost more than the detail is worth, and the
  /// plan falls back to counting bytes). Metadata items of mixed block groups count as extents of
  /// `nodeSize` bytes.
  public func dataExtents(
    of blockGroups: [BlockGroup], nodeSize: UInt32, maxExtents: Int = 4_000_000
  ) throws(BtrfsError) -> [BlockGroupExtents]? {
    let search = TreeSearch(self)
    var result: [BlockGroupExtents] = []
    var total = 0
    for group in blockGroups where group.type == .data || group.type == .mixed {
      var starts: [UInt64] = []
      var lengths: [UInt64] = []
      try search.forEachItem(
        in: TreeID.extent,
        from: TreeKey(objectid: group.vaddr, type: KeyType.extentItem, offset: 0),
        through: TreeKey(objectid: group.end - 1, type: KeyType.metadataItem, offset: .max)
      ) { (key, _) throws(BtrfsError) in
        switch key.type {
        case KeyType.extentItem:
          starts.append(key.objectid)
          lengths.append(key.offset)
        case KeyType.metadataItem:
          starts.append(key.objectid)
          lengths.append(UInt64(nodeSize))
        default:
          break
        }
      }
      total += starts.count
      guard total <= maxExtents else { return nil }
      result.append(BlockGroupExtents(vaddr: group.vaddr, starts: starts, lengths: lengths))
    }
    return result
  }

  /// ``layout(mountpoint:)`` with the extents of every data block group (see
  /// ``dataExtents(of:nodeSize:maxExtents:)``): what planning needs to predict where relocated
  /// extents land. Without them (too many extents) the layout is the plain one.
  public func detailedLayout(mountpoint: String? = nil) throws(BtrfsError) -> Layout {
    var layout = try layout(mountpoint: mountpoint)
    layout.extents = try dataExtents(of: layout.blockGroups, nodeSize: layout.nodeSize)
    return layout
  }
}
