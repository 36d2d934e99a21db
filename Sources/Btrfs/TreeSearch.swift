import CBtrfs

/// A reusable TREE_SEARCH_V2 cursor: one buffer, any number of searches. Not thread-safe; make one per
/// thread. Needs CAP_SYS_ADMIN.
public final class TreeSearch {
  private let fileSystem: FileSystem
  private let buffer: UnsafeMutableRawPointer
  private let bufferSize: Int
  private static let headerSize = Int(CBTRFS_SEARCH_ARGS_V2_HEADER_SIZE)

  /// A cursor over `fileSystem` whose result buffer holds `bufferSize` bytes per ioctl.
  public init(_ fileSystem: FileSystem, bufferSize: Int = 256 * 1024) {
    self.fileSystem = fileSystem
    self.bufferSize = bufferSize
    buffer = .allocate(byteCount: Self.headerSize + bufferSize, alignment: 8)
  }

  deinit { buffer.deallocate() }

  /// Calls `body` with the key and item bytes of every item of `tree` whose key lies in the linear
  /// interval `first...last`, in key order. The bytes are valid only during the call. At most
  /// `limit` items are visited.
  public func forEachItem(
    in tree: UInt64, from first: TreeKey, through last: TreeKey, limit: Int = .max,
    _ body: (TreeKey, UnsafeRawBufferPointer) throws(BtrfsError) -> Void
  ) throws(BtrfsError) {
    var next: TreeKey? = first
    var remaining = limit
    while let start = next, start <= last, remaining > 0 {
      var visited = 0
      guard
        let lastKey = try forEachItemOfOneCall(
          in: tree, from: start, through: last, maxItems: remaining,
          { (key, item) throws(BtrfsError) in
            visited += 1
            try body(key, item)
          })
      else { return }
      remaining -= visited
      next = lastKey.successor
    }
  }

  /// Like ``forEachItem(in:from:through:limit:_:)``, but with a single ioctl: visits the first items
  /// of the interval that fit in the buffer, at most `maxItems`, and returns the key of the last one
  /// (`nil` when the interval holds no item). Callers that know which keys they can skip continue
  /// from where they like.
  @discardableResult
  public func forEachItemOfOneCall(
    in tree: UInt64, from first: TreeKey, through last: TreeKey, maxItems: Int,
    _ body: (TreeKey, UnsafeRawBufferPointer) throws(BtrfsError) -> Void
  ) throws(BtrfsError) -> TreeKey? {
    let items = try batch(in: tree, from: first, through: last, maxItems: maxItems)
    var lastKey: TreeKey?
    for (key, item) in items {
      try body(key, item)
      lastKey = key
    }
    return lastKey
  }

  /// The items of one TREE_SEARCH_V2 call, as ``forEachItemOfOneCall(in:from:through:maxItems:_:)``
  /// visits them, for callers that go over them more than once (to size an array before filling
  /// it). They live in the cursor's buffer: valid until its next search.
  func batch(
    in tree: UInt64, from first: TreeKey, through last: TreeKey, maxItems: Int
  ) throws(BtrfsError) -> Batch {
    let count = try search(
      tree: tree, from: first, through: last, maxItems: UInt32(clamping: maxItems))
    return Batch(first: UnsafeRawPointer(buffer + Self.headerSize), count: count)
  }

  /// The items one search put in a cursor's buffer, in key order: each item's key and bytes.
  struct Batch: Sequence {
    /// The header of the first item.
    let first: UnsafeRawPointer
    /// How many items the search found.
    let count: Int

    func makeIterator() -> Iterator { Iterator(header: first, remaining: count) }

    struct Iterator: IteratorProtocol {
      /// The header of the next item.
      var header: UnsafeRawPointer
      var remaining: Int

      mutating func next() -> (key: TreeKey, item: UnsafeRawBufferPointer)? {
        guard remaining > 0 else { return nil }
        remaining -= 1
        let fields = header.loadUnaligned(as: btrfs_ioctl_search_header.self)
        let key = TreeKey(
          objectid: fields.objectid, type: UInt8(truncatingIfNeeded: fields.type),
          offset: fields.offset)
        let bytes = header + Int(CBTRFS_SEARCH_HEADER_SIZE)
        let length = Int(fields.len)
        header = bytes + length
        return (key, UnsafeRawBufferPointer(start: bytes, count: length))
      }
    }
  }

  /// One TREE_SEARCH_V2 ioctl; returns the number of items the kernel put in the buffer.
  private func search(
    tree: UInt64, from first: TreeKey, through last: TreeKey, maxItems: UInt32
  ) throws(BtrfsError) -> Int {
    let arguments = buffer.assumingMemoryBound(to: btrfs_ioctl_search_args_v2.self)
    arguments.pointee.key = btrfs_ioctl_search_key(
      tree_id: tree,
      min_objectid: first.objectid, max_objectid: last.objectid,
      min_offset: first.offset, max_offset: last.offset,
      min_transid: 0, max_transid: .max,
      min_type: UInt32(first.type), max_type: UInt32(last.type),
      nr_items: maxItems,
      unused: 0, unused1: 0, unused2: 0, unused3: 0, unused4: 0
    )
    arguments.pointee.buf_size = UInt64(bufferSize)
    try fileSystem.ioctl("TREE_SEARCH_V2", CBTRFS_IOC_TREE_SEARCH_V2, buffer: buffer)
    return Int(arguments.pointee.key.nr_items)
  }
}
