import CBtrfs

extension FileSystem {
  /// Every chunk, in ascending logical address, from the chunk tree.
  public func chunks() throws(BtrfsError) -> [Chunk] {
    let search = TreeSearch(self, bufferSize: Self.layoutSearchBufferSize)
    var chunks: [Chunk] = []
    let last = Self.chunkKey(vaddr: .max)
    var next: TreeKey? = Self.chunkKey(vaddr: 0)
    while let start = next, start <= last {
      let batch = try search.batch(in: TreeID.chunk, from: start, through: last, maxItems: .max)
      guard let lastKey = try ChunkItem.append(batch, to: &chunks) else { break }
      next = lastKey.successor
    }
    return chunks
  }

  /// The buffer of the searches that read a whole tree for a layout. The kernel touches every page
  /// of the buffer before it copies each leaf, so a buffer's pages all fault in on its first search
  /// (64 faults for 256 KiB, in a process that reads the layout once); the three times as many
  /// searches of 64 KiB cost the kernel no more time than 256 KiB ones (measured on the chunk and
  /// extent trees of 10,000 block groups: 19 searches instead of 6, and 23 instead of 7).
  static let layoutSearchBufferSize = 64 * 1024

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
    var found: [Chunk] = []
    let key = Self.chunkKey(vaddr: vaddr)
    let batch = try search.batch(in: TreeID.chunk, from: key, through: key, maxItems: 1)
    try ChunkItem.append(batch, to: &found)
    return found.first
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

/// A `btrfs_chunk` item in a search's buffer, its size checked against its stripe count.
private struct ChunkItem {
  let bytes: UnsafeRawBufferPointer

  /// The item found at logical address `vaddr`, checked.
  init(vaddr: UInt64, item: UnsafeRawBufferPointer) throws(BtrfsError) {
    guard item.count >= CBTRFS_CHUNK_STRIPES else {
      throw .malformedItem(tree: TreeID.chunk, detail: "chunk at \(vaddr) is \(item.count) bytes")
    }
    bytes = item
    guard item.count >= CBTRFS_CHUNK_STRIPES + stripeCount * CBTRFS_STRIPE_SIZE else {
      throw .malformedItem(
        tree: TreeID.chunk, detail: "chunk at \(vaddr) is too short for \(stripeCount) stripes")
    }
  }

  /// An item that was checked before.
  init(checked item: UnsafeRawBufferPointer) {
    bytes = item
  }

  private func load<T: FixedWidthInteger>(_ offset: Int, as: T.Type) -> T {
    T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
  }

  var stripeCount: Int { Int(load(CBTRFS_CHUNK_NUM_STRIPES, as: UInt16.self)) }

  func stripe(_ index: Int) -> Chunk.Stripe {
    let base = CBTRFS_CHUNK_STRIPES + index * CBTRFS_STRIPE_SIZE
    return Chunk.Stripe(
      devid: load(base + CBTRFS_STRIPE_DEVID, as: UInt64.self),
      offset: load(base + CBTRFS_STRIPE_OFFSET, as: UInt64.self))
  }

  /// Appends the chunks of `batch` (chunk items, keyed by their logical address) to `chunks`, and
  /// returns the key of the last one. Their stripes go into one array of the batch's own, sized
  /// exactly by a first pass over the items, which the chunks share: no array per chunk, and none
  /// that grows.
  @discardableResult
  static func append(_ batch: TreeSearch.Batch, to chunks: inout [Chunk]) throws(BtrfsError)
    -> TreeKey?
  {
    var stripeCount = 0
    var lastKey: TreeKey?
    for (key, item) in batch {
      stripeCount += try ChunkItem(vaddr: key.offset, item: item).stripeCount
      lastKey = key
    }
    let stripes = [Chunk.Stripe](unsafeUninitializedCapacity: stripeCount) { buffer, initialized in
      for (_, item) in batch {
        let chunk = ChunkItem(checked: item)
        for index in 0..<chunk.stripeCount {
          buffer.initializeElement(at: initialized, to: chunk.stripe(index))
          initialized += 1
        }
      }
    }
    var first = 0
    for (key, item) in batch {
      let chunk = ChunkItem(checked: item)
      let end = first + chunk.stripeCount
      chunks.append(
        Chunk(
          vaddr: key.offset, length: chunk.load(CBTRFS_CHUNK_LENGTH, as: UInt64.self),
          flags: BlockGroupFlags(rawValue: chunk.load(CBTRFS_CHUNK_TYPE, as: UInt64.self)),
          stripes: SharedSlice(sharing: stripes, range: first..<end)))
      first = end
    }
    return lastKey
  }
}
