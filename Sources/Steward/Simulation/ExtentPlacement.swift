import Btrfs

/// The size class of a data extent or block group (fs/btrfs/block-group.c,
/// `btrfs_calc_block_group_size_class`, kernel 6.3+): the extent allocator prefers block groups of
/// an extent's own class and allocates a new chunk before it puts an extent into a block group of
/// another class.
enum SizeClass: UInt8, Hashable, Sendable {
  /// A block group with no extents yet: it takes the class of the first extent allocated in it.
  case none
  /// Up to 128 KiB.
  case small
  /// Up to 8 MiB.
  case medium
  /// Larger.
  case large

  /// The class of an extent of `length` bytes.
  init(extentLength length: UInt64) {
    self = length <= 128 << 10 ? .small : length <= 8 << 20 ? .medium : .large
  }

  /// The class the kernel gives a block group when it caches it (`load_block_group_size_class`): the
  /// class of the smallest of the first extents at or after five evenly spaced addresses, `.none`
  /// when it has none.
  init(sampling extents: BlockGroupExtents, length: UInt64) {
    var smallest: UInt64?
    var position = 0
    for sample in 0..<5 {
      let address = extents.vaddr + length * UInt64(sample) / 5
      while position < extents.count, extents[position].start < address { position += 1 }
      guard position < extents.count else { break }
      smallest = min(smallest ?? .max, extents[position].length)
    }
    self = smallest.map { SizeClass(extentLength: $0) } ?? .none
  }
}

/// What the extent-level model knows of one data block group: its extents (what relocating it
/// moves) and its free holes (where extents relocated from elsewhere can land), as the kernel's
/// free-space cache would hand them out.
struct ExtentPlacement: Sendable {
  /// A free range of the block group.
  struct Hole: Sendable {
    var start: UInt64
    var length: UInt64
  }

  /// The extent lengths, in the order relocation walks them (ascending address, then those the
  /// model placed here, in placement order).
  var extents: [UInt64]
  /// Each extent's address, parallel to ``extents``.
  var starts: [UInt64]
  /// Free ranges, ascending.
  var holes: [Hole]
  /// The block group's size class; `nil` when size classes do not apply (mixed block groups).
  var sizeClass: SizeClass?
  /// Bytes the extents take.
  var usedBytes: UInt64 { extents.reduce(0, +) }
  /// The longest hole (kept so that a search skips block groups that cannot hold an extent).
  private(set) var longestHole: UInt64

  /// The state of a block group of `length` bytes with `extents`.
  init(_ extents: BlockGroupExtents, length: UInt64, usesSizeClasses: Bool) {
    self.extents = extents.map(\.length)
    starts = extents.map(\.start)
    holes = extents.holes(length: length).map { Hole(start: $0.start, length: $0.length) }
    sizeClass = usesSizeClasses ? SizeClass(sampling: extents, length: length) : nil
    longestHole = holes.map(\.length).max() ?? 0
  }

  /// An empty block group (a chunk the model allocates) at `vaddr`.
  init(emptyAt vaddr: UInt64, length: UInt64, usesSizeClasses: Bool) {
    extents = []
    starts = []
    holes = [Hole(start: vaddr, length: length)]
    sizeClass = usesSizeClasses ? SizeClass.none : nil
    longestHole = length
  }

  /// The extents as the layout records them: ascending address.
  func recorded(vaddr: UInt64) -> BlockGroupExtents {
    let order = starts.indices.sorted { starts[$0] < starts[$1] }
    return BlockGroupExtents(
      vaddr: vaddr, starts: order.map { starts[$0] }, lengths: order.map { extents[$0] })
  }

  /// Whether an extent of class `extentClass` may go here at this stage of the allocator's search.
  func accepts(_ extentClass: SizeClass, stage: AllocationStage) -> Bool {
    guard let sizeClass else { return true }
    switch stage {
    case .matchingClass: return sizeClass == extentClass
    case .unsetClass: return sizeClass == extentClass || sizeClass == .none
    case .anyClass: return true
    }
  }

  /// The address of the first hole of at least `length` bytes at or after `from`, if any.
  func firstFit(_ length: UInt64, from: UInt64 = 0) -> UInt64? {
    guard longestHole >= length else { return nil }
    for hole in holes where hole.start + hole.length > from {
      let start = max(hole.start, from)
      if hole.start + hole.length - start >= length { return start }
    }
    return nil
  }

  /// Puts an extent of `length` bytes at `address` (found by ``firstFit(_:from:)``).
  mutating func place(_ length: UInt64, at address: UInt64) {
    let index = holes.firstIndex { $0.start <= address && address < $0.start + $0.length }!
    let hole = holes[index]
    var replacement: [Hole] = []
    if address > hole.start {
      replacement.append(Hole(start: hole.start, length: address - hole.start))
    }
    let end = address + length
    if hole.start + hole.length > end {
      replacement.append(Hole(start: end, length: hole.start + hole.length - end))
    }
    holes.replaceSubrange(index...index, with: replacement)
    extents.append(length)
    starts.append(address)
    if sizeClass == SizeClass.none { sizeClass = SizeClass(extentLength: length) }
    if hole.length == longestHole { longestHole = holes.map(\.length).max() ?? 0 }
  }
}

/// The stages of `find_free_extent` (fs/btrfs/extent-tree.c) that decide which block groups an
/// extent may go to; a new chunk is allocated between ``unsetClass`` and ``anyClass``
/// (`LOOP_ALLOC_CHUNK` comes before `LOOP_WRONG_SIZE_CLASS`).
enum AllocationStage: CaseIterable {
  /// `LOOP_CACHING_NOWAIT`, `LOOP_CACHING_WAIT`: block groups of the extent's size class.
  case matchingClass
  /// `LOOP_UNSET_SIZE_CLASS`: also block groups without a class yet.
  case unsetClass
  /// `LOOP_WRONG_SIZE_CLASS`: any block group (only once no chunk can be allocated).
  case anyClass
}
