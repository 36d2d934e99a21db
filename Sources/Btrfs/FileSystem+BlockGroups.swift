import CBtrfs

extension FileSystem {
  /// Every chunk, in ascending logical address, from the chunk tree.
  public func chunks() throws(BtrfsError) -> [Chunk] {
    let search = TreeSearch(self)
    // All chunks share one array of stripes, complete before the first chunk takes its share.
    var items: [ChunkItem] = []
    var stripes: [Chunk.Stripe] = []
    try search.forEachItem(
      in: TreeID.chunk, from: Self.chunkKey(vaddr: 0), through: Self.chunkKey(vaddr: .max)
    ) { (key, item) throws(BtrfsError) in
      items.append(try ChunkItem(vaddr: key.offset, item: item, stripes: &stripes))
    }
    return items.map { $0.chunk(sharing: stripes) }
  }

  /// Every block group, in ascending logical address.
  ///
  /// With a block-group tree this is a plain scan of that tree. Without one, block-group items are
  /// mixed with extent items in the extent tree; the scan then leaps: every extent of a block group
  /// lies inside the block group's range, so once a block-group item is read, the search continues
  /// at the end of that block group. Each ioctl asks for a batch of items that grows while batches
  /// hold several block groups (sparse extents) and shrinks to a few items while they do not (dense
  /// extents), so the cost stays near one small ioctl per block group in the worst case and a few
  /// ioctls for the whole filesystem in the best.
  public func blockGroups(hasBlockGroupTree: Bool? = nil) throws(BtrfsError) -> [BlockGroup] {
    let search = TreeSearch(self)
    let readsBlockGroupTree: Bool
    if let hasBlockGroupTree {
      readsBlockGroupTree = hasBlockGroupTree
    } else {
      readsBlockGroupTree = try info().features.hasBlockGroupTree
    }
    var blockGroups: [BlockGroup] = []
    if readsBlockGroupTree {
      try search.forEachItem(
        in: TreeID.blockGroup,
        from: TreeKey(objectid: 0, type: KeyType.blockGroupItem, offset: 0),
        through: TreeKey(objectid: .max, type: KeyType.blockGroupItem, offset: .max)
      ) { (key, item) throws(BtrfsError) in
        if key.type == KeyType.blockGroupItem {
          blockGroups.append(try BlockGroup(key: key, item: item, tree: TreeID.blockGroup))
        }
      }
      return blockGroups
    }
    var next: TreeKey? = .min
    var batch = 64
    while let start = next {
      var foundInBatch = 0
      var resumeAt: TreeKey?
      let lastKey = try search.forEachItemOfOneCall(
        in: TreeID.extent, from: start, through: .max, maxItems: batch
      ) { (key, item) throws(BtrfsError) in
        guard key.type == KeyType.blockGroupItem else { return }
        let blockGroup = try BlockGroup(key: key, item: item, tree: TreeID.extent)
        blockGroups.append(blockGroup)
        foundInBatch += 1
        resumeAt = TreeKey(objectid: blockGroup.end, type: 0, offset: 0)
      }
      guard let lastKey else { break }
      // Leap past the rest of the last block group's extents, unless the batch already went further.
      if let resumeAt, lastKey < resumeAt {
        next = resumeAt
      } else {
        next = lastKey.successor
      }
      batch = foundInBatch > 1 ? min(batch * 2, 16_384) : max(batch / 2, 4)
    }
    return blockGroups
  }

  /// The block group that starts at `vaddr`, read now, or `nil` when there is none (for example,
  /// because a balance relocated it to a new address).
  public func blockGroup(at vaddr: UInt64) throws(BtrfsError) -> BlockGroup? {
    let search = TreeSearch(self, bufferSize: 4096)
    let tree = try info().features.hasBlockGroupTree ? TreeID.blockGroup : TreeID.extent
    var found: BlockGroup?
    try search.forEachItem(
      in: tree,
      from: TreeKey(objectid: vaddr, type: KeyType.blockGroupItem, offset: 0),
      through: TreeKey(objectid: vaddr, type: KeyType.blockGroupItem, offset: .max),
      limit: 1
    ) { (key, item) throws(BtrfsError) in
      found = try BlockGroup(key: key, item: item, tree: tree)
    }
    return found
  }

  /// The chunk that starts at `vaddr`, read now, or `nil` when there is none.
  public func chunk(at vaddr: UInt64) throws(BtrfsError) -> Chunk? {
    let search = TreeSearch(self, bufferSize: 4096)
    var found: ChunkItem?
    var stripes: [Chunk.Stripe] = []
    try search.forEachItem(
      in: TreeID.chunk, from: Self.chunkKey(vaddr: vaddr), through: Self.chunkKey(vaddr: vaddr),
      limit: 1
    ) { (key, item) throws(BtrfsError) in
      found = try ChunkItem(vaddr: key.offset, item: item, stripes: &stripes)
    }
    return found?.chunk(sharing: stripes)
  }

  private static func chunkKey(vaddr: UInt64) -> TreeKey {
    TreeKey(
      objectid: UInt64(BTRFS_FIRST_CHUNK_TREE_OBJECTID), type: KeyType.chunkItem, offset: vaddr)
  }
}

extension BlockGroup {
  /// Decodes a `btrfs_block_group_item` found at `key`.
  init(key: TreeKey, item: UnsafeRawBufferPointer, tree: UInt64) throws(BtrfsError) {
    guard item.count >= CBTRFS_BLOCK_GROUP_ITEM_SIZE else {
      throw .malformedItem(
        tree: tree, detail: "block group item at \(key) has \(item.count) bytes")
    }
    self.init(
      vaddr: key.objectid,
      length: key.offset,
      used: UInt64(
        littleEndian: item.loadUnaligned(
          fromByteOffset: CBTRFS_BLOCK_GROUP_ITEM_USED, as: UInt64.self)),
      flags: BlockGroupFlags(
        rawValue: UInt64(
          littleEndian: item.loadUnaligned(
            fromByteOffset: CBTRFS_BLOCK_GROUP_ITEM_FLAGS, as: UInt64.self)))
    )
  }
}

/// A decoded `btrfs_chunk` whose stripes are a range of an array of stripes that more chunks share.
private struct ChunkItem {
  var vaddr: UInt64
  var length: UInt64
  var flags: BlockGroupFlags
  /// The chunk's range of the shared stripes.
  var stripes: Range<Int>

  /// Decodes a `btrfs_chunk` found at logical address `vaddr`, appending its stripes to `stripes`.
  init(vaddr: UInt64, item: UnsafeRawBufferPointer, stripes: inout [Chunk.Stripe])
    throws(BtrfsError)
  {
    func load<T: FixedWidthInteger>(_ offset: Int, as: T.Type) -> T {
      T(littleEndian: item.loadUnaligned(fromByteOffset: offset, as: T.self))
    }
    guard item.count >= CBTRFS_CHUNK_STRIPES else {
      throw .malformedItem(tree: TreeID.chunk, detail: "chunk at \(vaddr) is \(item.count) bytes")
    }
    let stripeCount = Int(load(CBTRFS_CHUNK_NUM_STRIPES, as: UInt16.self))
    guard item.count >= CBTRFS_CHUNK_STRIPES + stripeCount * CBTRFS_STRIPE_SIZE else {
      throw .malformedItem(
        tree: TreeID.chunk, detail: "chunk at \(vaddr) is too short for \(stripeCount) stripes")
    }
    self.vaddr = vaddr
    length = load(CBTRFS_CHUNK_LENGTH, as: UInt64.self)
    flags = BlockGroupFlags(rawValue: load(CBTRFS_CHUNK_TYPE, as: UInt64.self))
    self.stripes = stripes.count..<stripes.count + stripeCount
    for index in 0..<stripeCount {
      let base = CBTRFS_CHUNK_STRIPES + index * CBTRFS_STRIPE_SIZE
      stripes.append(
        Chunk.Stripe(
          devid: load(base + CBTRFS_STRIPE_DEVID, as: UInt64.self),
          offset: load(base + CBTRFS_STRIPE_OFFSET, as: UInt64.self)))
    }
  }

  /// The chunk, with its share of `stripes` (the array its stripes were appended to).
  func chunk(sharing stripes: [Chunk.Stripe]) -> Chunk {
    Chunk(
      vaddr: vaddr, length: length, flags: flags,
      stripes: SharedSlice(sharing: stripes, range: self.stripes))
  }
}
