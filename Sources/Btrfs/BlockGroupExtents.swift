/// The extents of one data block group, from the extent tree, in ascending address: what relocating
/// it moves (each extent keeps its size when relocated) and, by the gaps between them, the free holes
/// that other relocations can fill.
///
/// A read of the extent tree keeps all block groups' extents in one array that they share
/// (``SharedSlice``), not an array or two per block group.
public struct BlockGroupExtents: RandomAccessCollection, Hashable, Sendable, Codable {
  /// One extent: where it starts and how long it is in the block group (on-disk bytes: compressed
  /// extents are counted as stored).
  public struct Extent: Hashable, Sendable {
    /// The extent's logical address.
    public var start: UInt64
    /// The extent's length in bytes.
    public var length: UInt64

    public init(start: UInt64, length: UInt64) {
      self.start = start
      self.length = length
    }
  }

  /// The block group's logical address.
  public var vaddr: UInt64
  /// The extents, ascending.
  private let extents: SharedSlice<Extent>

  /// The block group at `vaddr` with `extents` (ascending).
  init(vaddr: UInt64, extents: SharedSlice<Extent>) {
    self.vaddr = vaddr
    self.extents = extents
  }

  /// The block group at `vaddr` with the extents at `starts` (ascending) of `lengths` (parallel).
  public init(vaddr: UInt64, starts: [UInt64], lengths: [UInt64]) {
    precondition(starts.count == lengths.count, "one length per extent")
    self.init(
      vaddr: vaddr,
      extents: SharedSlice(zip(starts, lengths).map { Extent(start: $0, length: $1) }))
  }

  /// The block groups of `groups` (ascending) that are data or mixed ones, each with the extents of
  /// `storage` (ascending) that lie in its range; `storage` is shared, not copied.
  static func dataGroups(of groups: [BlockGroup], sharing storage: [Extent]) -> [Self] {
    var result: [Self] = []
    result.reserveCapacity(groups.count)
    var position = 0
    storage.withUnsafeBufferPointer { extents in
      for group in groups {
        while position < extents.count, extents[position].start < group.vaddr { position += 1 }
        let first = position
        while position < extents.count, extents[position].start < group.end { position += 1 }
        guard group.type == .data || group.type == .mixed else { continue }
        result.append(
          Self(vaddr: group.vaddr, extents: SharedSlice(sharing: storage, range: first..<position)))
      }
    }
    return result
  }

  public var startIndex: Int { 0 }
  public var endIndex: Int { extents.count }
  public subscript(position: Int) -> Extent { extents[position] }

  /// Bytes the extents take.
  public var usedBytes: UInt64 { reduce(0) { $0 + $1.length } }

  /// The free holes of the block group `[vaddr, vaddr + length)`: the gaps between its extents, in
  /// ascending address, as (start, length).
  public func holes(length: UInt64) -> [(start: UInt64, length: UInt64)] {
    var holes: [(start: UInt64, length: UInt64)] = []
    var cursor = vaddr
    for extent in self {
      if extent.start > cursor { holes.append((cursor, extent.start - cursor)) }
      cursor = Swift.max(cursor, extent.start + extent.length)
    }
    if vaddr + length > cursor { holes.append((cursor, vaddr + length - cursor)) }
    return holes
  }

  private enum CodingKeys: String, CodingKey { case vaddr, starts, lengths }

  /// Decodes the form ``encode(to:)`` writes: the address, then the extents' starts and lengths as
  /// two parallel lists.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let starts = try container.decode([UInt64].self, forKey: .starts)
    let lengths = try container.decode([UInt64].self, forKey: .lengths)
    guard starts.count == lengths.count else {
      throw DecodingError.dataCorruptedError(
        forKey: .lengths, in: container, debugDescription: "one length per extent")
    }
    self.init(
      vaddr: try container.decode(UInt64.self, forKey: .vaddr), starts: starts, lengths: lengths)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(vaddr, forKey: .vaddr)
    try container.encode(map(\.start), forKey: .starts)
    try container.encode(map(\.length), forKey: .lengths)
  }
}
