/// The extents of one data block group, from the extent tree: what relocating it moves (each extent
/// keeps its size when relocated) and, by the gaps between them, the free holes that other
/// relocations can fill.
public struct BlockGroupExtents: Hashable, Sendable, Codable {
  /// The block group's logical address.
  public var vaddr: UInt64
  /// Each extent's logical address, ascending.
  public var starts: [UInt64]
  /// Each extent's length in the block group (on-disk bytes: compressed extents are counted as
  /// stored), parallel to ``starts``.
  public var lengths: [UInt64]

  public init(vaddr: UInt64, starts: [UInt64], lengths: [UInt64]) {
    precondition(starts.count == lengths.count, "one length per extent")
    self.vaddr = vaddr
    self.starts = starts
    self.lengths = lengths
  }

  /// Bytes the extents take.
  public var usedBytes: UInt64 { lengths.reduce(0, +) }

  /// The free holes of the block group `[vaddr, vaddr + length)`: the gaps between its extents, in
  /// ascending address, as (start, length).
  public func holes(length: UInt64) -> [(start: UInt64, length: UInt64)] {
    var holes: [(start: UInt64, length: UInt64)] = []
    var cursor = vaddr
    for (start, extentLength) in zip(starts, lengths) {
      if start > cursor { holes.append((cursor, start - cursor)) }
      cursor = max(cursor, start + extentLength)
    }
    if vaddr + length > cursor { holes.append((cursor, vaddr + length - cursor)) }
    return holes
  }
}
