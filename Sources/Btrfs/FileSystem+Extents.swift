import CBtrfs

extension FileSystem {
  /// The extents of each data (and mixed) block group of `blockGroups` (ascending, as a layout
  /// lists them), read from the extent tree in one scan over the data block groups' ranges: large
  /// batches, and a leap over every other block group's range at a batch's end, so the cost stays
  /// near one bare pass over the data extents. `nil` when they hold more than `maxExtents` extents
  /// together (the plan then counts bytes). Metadata items of mixed block groups count as extents
  /// of `nodeSize` bytes.
  public func dataExtents(
    of blockGroups: [BlockGroup], nodeSize: UInt32, maxExtents: Int = 4_000_000
  ) throws(BtrfsError) -> [BlockGroupExtents]? {
    let groups = blockGroups.filter { $0.type == .data || $0.type == .mixed }
    var extents: [BlockGroupExtents.Extent] = []
    guard let first = groups.first else { return [] }
    let search = TreeSearch(self, bufferSize: Self.layoutSearchBufferSize)
    var current = 0
    var next: TreeKey? = TreeKey(objectid: first.vaddr, type: 0, offset: 0)
    while let start = next {
      let lastKey = try search.forEachItemOfOneCall(
        in: TreeID.extent, from: start, through: .max, maxItems: 65_536
      ) { (key, _) throws(BtrfsError) in
        guard key.type == KeyType.extentItem || key.type == KeyType.metadataItem else { return }
        while current < groups.count, groups[current].end <= key.objectid { current += 1 }
        guard current < groups.count, groups[current].vaddr <= key.objectid else { return }
        extents.append(
          BlockGroupExtents.Extent(
            start: key.objectid,
            length: key.type == KeyType.extentItem ? key.offset : UInt64(nodeSize)))
      }
      guard extents.count <= maxExtents else { return nil }
      guard let lastKey, var resume = lastKey.successor else { break }
      // Leap over the ranges of block groups that are not read.
      while current < groups.count, groups[current].end <= resume.objectid { current += 1 }
      guard current < groups.count else { break }
      if resume.objectid < groups[current].vaddr {
        resume = TreeKey(objectid: groups[current].vaddr, type: 0, offset: 0)
      }
      next = resume
    }
    return BlockGroupExtents.dataGroups(of: groups, sharing: extents)
  }

  /// Every block group and the extents of the data and mixed ones, from one scan of the extent
  /// tree, for filesystems without a block-group tree (where block-group items lie among the
  /// extent items): the scan costs about what a bare pass over the extent tree does, against a
  /// leaping block-group scan plus a second pass for the extents. It leaps over the rest of a
  /// metadata or system block group once its item is read (its items follow it, but for the one
  /// at its very start), as the plan has no use for their tree blocks.
  func blockGroupsAndDataExtents(
    nodeSize: UInt32, maxExtents: Int
  ) throws(BtrfsError) -> (blockGroups: [BlockGroup], extents: [BlockGroupExtents]?) {
    let search = TreeSearch(self, bufferSize: Self.layoutSearchBufferSize)
    var blockGroups: [BlockGroup] = []
    var extents: [BlockGroupExtents.Extent] = []
    var tooMany = false
    var next: TreeKey? = .min
    while let start = next {
      var skippedEnd: UInt64 = 0
      let lastKey = try search.forEachItemOfOneCall(
        in: TreeID.extent, from: start, through: .max, maxItems: .max
      ) { (key, item) throws(BtrfsError) in
        switch key.type {
        case KeyType.extentItem, KeyType.metadataItem:
          guard !tooMany, key.objectid >= skippedEnd else { return }
          extents.append(
            BlockGroupExtents.Extent(
              start: key.objectid,
              length: key.type == KeyType.extentItem ? key.offset : UInt64(nodeSize)))
          tooMany = extents.count > maxExtents
        case KeyType.blockGroupItem:
          let group = try BlockGroup(key: key, item: item, tree: TreeID.extent)
          blockGroups.append(group)
          if group.type != .data && group.type != .mixed { skippedEnd = group.end }
        default:
          break
        }
      }
      guard let lastKey, let successor = lastKey.successor else { break }
      next = max(successor, TreeKey(objectid: skippedEnd, type: 0, offset: 0))
    }
    guard !tooMany else { return (blockGroups, nil) }
    return (blockGroups, BlockGroupExtents.dataGroups(of: blockGroups, sharing: extents))
  }

  /// ``layout(mountpoint:)`` with the extents of every data block group (see
  /// ``dataExtents(of:nodeSize:maxExtents:)``): what planning needs to predict where relocated
  /// extents land. Without them (too many extents) the layout is the plain one.
  public func detailedLayout(
    mountpoint: String? = nil, maxExtents: Int = 4_000_000
  ) throws(BtrfsError) -> Layout {
    let info = try info()
    return try layout(mountpoint: mountpoint, info: info) { () throws(BtrfsError) in
      guard info.features.hasBlockGroupTree else {
        return try blockGroupsAndDataExtents(nodeSize: info.nodeSize, maxExtents: maxExtents)
      }
      let blockGroups = try blockGroups(hasBlockGroupTree: true)
      return (
        blockGroups,
        try dataExtents(of: blockGroups, nodeSize: info.nodeSize, maxExtents: maxExtents)
      )
    }
  }
}
