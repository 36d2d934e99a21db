/// One block group: a range of the filesystem's logical address space allocated to one type and
/// profile, with how much of it is in use.
public struct BlockGroup: Hashable, Sendable, Codable {
  /// The logical address where the block group starts (its key's objectid).
  public var vaddr: UInt64
  /// The logical length of the block group in bytes (its key's offset).
  public var length: UInt64
  /// The bytes in use inside the block group.
  public var used: UInt64
  /// The type and profile of the block group.
  public var flags: BlockGroupFlags

  public init(vaddr: UInt64, length: UInt64, used: UInt64, flags: BlockGroupFlags) {
    self.vaddr = vaddr
    self.length = length
    self.used = used
    self.flags = flags
  }

  /// The allocation type of the block group.
  public var type: BlockGroupType { flags.type }
  /// The profile of the block group.
  public var profile: Profile { flags.profile }
  /// The bytes of the block group not in use.
  public var free: UInt64 { length - min(used, length) }

  /// The fraction in use, in percent (0 to 100).
  public var usagePercent: Double {
    length == 0 ? 0 : Double(used) * 100 / Double(length)
  }

  /// The first logical address past the end of the block group.
  public var end: UInt64 { vaddr + length }
}
