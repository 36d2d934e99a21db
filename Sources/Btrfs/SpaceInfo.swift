/// Allocated and used space of one type and profile, as SPACE_INFO (and `btrfs filesystem df`) reports it.
public struct SpaceInfo: Hashable, Sendable, Codable {
  /// The type and profile this entry counts. Global reserve is reported as ``isGlobalReserve``.
  public var flags: BlockGroupFlags
  /// Bytes allocated to block groups of this kind (logical, before replication).
  public var total: UInt64
  /// Bytes used inside them.
  public var used: UInt64
  /// Whether this entry is the global block reserve rather than a block-group kind.
  public var isGlobalReserve: Bool

  public init(flags: BlockGroupFlags, total: UInt64, used: UInt64, isGlobalReserve: Bool = false) {
    self.flags = flags
    self.total = total
    self.used = used
    self.isGlobalReserve = isGlobalReserve
  }

  /// The label `btrfs filesystem df` prints, for example `Data, single`.
  public var label: String {
    isGlobalReserve
      ? "GlobalReserve, single" : "\(flags.type.displayName), \(flags.profile.displayName)"
  }
}
