/// One chunk from the chunk tree: the mapping of a block group's logical range onto device stripes.
public struct Chunk: Hashable, Sendable, Codable {
  /// One stripe of a chunk: where on which device a copy or a slice of the chunk lives.
  public struct Stripe: Hashable, Sendable, Codable {
    /// The device the stripe is on.
    public var devid: UInt64
    /// The physical byte offset of the stripe on that device.
    public var offset: UInt64

    public init(devid: UInt64, offset: UInt64) {
      self.devid = devid
      self.offset = offset
    }
  }

  /// The logical address of the chunk (the same as its block group's).
  public var vaddr: UInt64
  /// The logical length of the chunk.
  public var length: UInt64
  /// The type and profile of the chunk.
  public var flags: BlockGroupFlags
  /// The chunk's stripes, in kernel order. A read of the chunk tree keeps the stripes of all the
  /// chunks one search returns (thousands) in one array that they share.
  public var stripes: SharedSlice<Stripe>

  /// A chunk whose stripes may be shared with other chunks.
  public init(vaddr: UInt64, length: UInt64, flags: BlockGroupFlags, stripes: SharedSlice<Stripe>) {
    self.vaddr = vaddr
    self.length = length
    self.flags = flags
    self.stripes = stripes
  }

  /// A chunk with stripes of its own.
  public init(vaddr: UInt64, length: UInt64, flags: BlockGroupFlags, stripes: [Stripe]) {
    self.init(vaddr: vaddr, length: length, flags: flags, stripes: SharedSlice(stripes))
  }

  /// The distinct devices the chunk has stripes on.
  public var devids: Set<UInt64> { Set(stripes.map(\.devid)) }
}
