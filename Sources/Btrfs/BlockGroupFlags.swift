import CBtrfs

/// The flags word of a block group or chunk: its type (data, metadata, system) and its profile.
public struct BlockGroupFlags: OptionSet, Hashable, Sendable, Codable {
  public let rawValue: UInt64
  public init(rawValue: UInt64) { self.rawValue = rawValue }

  public static let data = BlockGroupFlags(rawValue: UInt64(BTRFS_BLOCK_GROUP_DATA))
  public static let system = BlockGroupFlags(rawValue: UInt64(BTRFS_BLOCK_GROUP_SYSTEM))
  public static let metadata = BlockGroupFlags(rawValue: UInt64(BTRFS_BLOCK_GROUP_METADATA))

  /// The bits that name the allocation type.
  public static let typeMask: BlockGroupFlags = [.data, .system, .metadata]
  /// The bits that name the profile (none set means `single`).
  public static let profileMask = BlockGroupFlags(rawValue: UInt64(CBTRFS_BLOCK_GROUP_PROFILE_MASK))

  /// The allocation type these flags describe.
  public var type: BlockGroupType { BlockGroupType(flags: self) }
  /// The profile these flags describe.
  public var profile: Profile { Profile(flags: self) }

  /// Flags made of a type and a profile.
  public init(type: BlockGroupType, profile: Profile) {
    self.init(rawValue: type.flags.rawValue | profile.flags.rawValue)
  }
}

/// What a block group holds. Mixed block groups hold data and metadata together.
public enum BlockGroupType: String, Hashable, Sendable, Codable, CodingKeyRepresentable,
  CaseIterable,
  Comparable
{
  case data
  case metadata
  case system
  case mixed

  init(flags: BlockGroupFlags) {
    let type = flags.intersection(.typeMask)
    if type == [.data, .metadata] {
      self = .mixed
    } else if type.contains(.data) {
      self = .data
    } else if type.contains(.system) {
      self = .system
    } else {
      self = .metadata
    }
  }

  /// The type bits of this type.
  public var flags: BlockGroupFlags {
    switch self {
    case .data: .data
    case .metadata: .metadata
    case .system: .system
    case .mixed: [.data, .metadata]
    }
  }

  /// The name `btrfs filesystem df` prints for this type.
  public var displayName: String {
    switch self {
    case .data: "Data"
    case .metadata: "Metadata"
    case .system: "System"
    case .mixed: "Data+Metadata"
    }
  }

  public static func < (lhs: Self, rhs: Self) -> Bool {
    allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
  }
}

/// The replication profile of a block group.
public enum Profile: String, Hashable, Sendable, Codable, CaseIterable {
  case single
  case dup
  case raid0
  case raid1
  case raid10
  case raid5
  case raid6
  case raid1c3
  case raid1c4

  init(flags: BlockGroupFlags) {
    let bits = flags.intersection(.profileMask)
    self = Self.allCases.first { $0 != .single && bits.contains($0.flags) } ?? .single
  }

  /// The profile bit of this profile (empty for `single`).
  public var flags: BlockGroupFlags {
    switch self {
    case .single: []
    case .dup: BlockGroupFlags(rawValue: UInt64(BTRFS_BLOCK_GROUP_DUP))
    case .raid0: BlockGroupFlags(rawValue: UInt64(BTRFS_BLOCK_GROUP_RAID0))
    case .raid1: BlockGroupFlags(rawValue: UInt64(BTRFS_BLOCK_GROUP_RAID1))
    case .raid10: BlockGroupFlags(rawValue: UInt64(BTRFS_BLOCK_GROUP_RAID10))
    case .raid5: BlockGroupFlags(rawValue: UInt64(BTRFS_BLOCK_GROUP_RAID5))
    case .raid6: BlockGroupFlags(rawValue: UInt64(BTRFS_BLOCK_GROUP_RAID6))
    case .raid1c3: BlockGroupFlags(rawValue: UInt64(BTRFS_BLOCK_GROUP_RAID1C3))
    case .raid1c4: BlockGroupFlags(rawValue: UInt64(BTRFS_BLOCK_GROUP_RAID1C4))
    }
  }

  /// The name `btrfs filesystem df` prints for this profile.
  public var displayName: String { rawValue == "single" ? "single" : rawValue.uppercased() }

  /// How many bytes of raw device space one byte of this profile takes, for `stripes` devices.
  public func rawBytesFactor(stripes: Int) -> Double {
    switch self {
    case .single, .raid0: 1
    case .dup, .raid1, .raid10: 2
    case .raid1c3: 3
    case .raid1c4: 4
    case .raid5: stripes > 1 ? Double(stripes) / Double(stripes - 1) : 1
    case .raid6: stripes > 2 ? Double(stripes) / Double(stripes - 2) : 1
    }
  }
}
