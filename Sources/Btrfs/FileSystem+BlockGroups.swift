import CBtrfs

extension FileSystem {
  /// Every chunk, in ascending logical address, from the chunk tree.
  public func chunks(using search: TreeSearch? = nil) throws(BtrfsError) -> [Chunk] {
    let search = search ?? TreeSearch(self)
    var chunks: [Chunk] = []
    try search.forEachItem(
      in: TreeID.chunk, from: Self.chunkKey(vaddr: 0), through: Self.chunkKey(vaddr: .max)
    ) { (key, item) throws(BtrfsError) in
      chunks.append(try Chunk(vaddr: key.offset, item: item))
    }
    return chunks
  }

  /// Every block group, in ascending logical address. Read from the block-group tree when the
  /// filesystem has one (a few ioctls for any number of block groups); otherwise each block group is
  /// looked up by its exact key in the extent tree, guided by the chunk tree, so the cost does not
  /// grow with the number of extents.
  public func blockGroups(
    hasBlockGroupTree: Bool? = nil, chunks knownChunks: [Chunk]? = nil
  ) throws(BtrfsError) -> [BlockGroup] {
    let search = TreeSearch(self)
    let readsBlockGroupTree: Bool
    if let hasBlockGroupTree {
      readsBlockGroupTree = hasBlockGroupTree
    } else {
      readsBlockGroupTree = try info().features.hasBlockGroupTree
    }
    if readsBlockGroupTree {
      var blockGroups: [BlockGroup] = []
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
    let chunks: [Chunk]
    if let knownChunks {
      chunks = knownChunks
    } else {
      chunks = try self.chunks(using: search)
    }
    var blockGroups: [BlockGroup] = []
    blockGroups.reserveCapacity(chunks.count)
    for chunk in chunks {
      let key = TreeKey(objectid: chunk.vaddr, type: KeyType.blockGroupItem, offset: chunk.length)
      if let blockGroup = try search.item(
        in: TreeID.extent, at: key,
        { (item) throws(BtrfsError) in
          try BlockGroup(key: key, item: item, tree: TreeID.extent)
        })
      {
        blockGroups.append(blockGroup)
      }
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

extension Chunk {
  /// Decodes a `btrfs_chunk` with its stripes, found at logical address `vaddr`.
  init(vaddr: UInt64, item: UnsafeRawBufferPointer) throws(BtrfsError) {
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
    let stripes = (0..<stripeCount).map { index in
      let base = CBTRFS_CHUNK_STRIPES + index * CBTRFS_STRIPE_SIZE
      return Stripe(
        devid: load(base + CBTRFS_STRIPE_DEVID, as: UInt64.self),
        offset: load(base + CBTRFS_STRIPE_OFFSET, as: UInt64.self))
    }
    self.init(
      vaddr: vaddr,
      length: load(CBTRFS_CHUNK_LENGTH, as: UInt64.self),
      flags: BlockGroupFlags(rawValue: load(CBTRFS_CHUNK_TYPE, as: UInt64.self)),
      stripes: stripes)
  }
}
