import Btrfs

/// How a type's block groups are spread over profiles: more than one profile for a type means a
/// conversion is under way or was left unfinished, and the shares say how far it has come.
public struct ProfileShare: Hashable, Sendable, Codable {
  public var type: BlockGroupType
  public var profile: Profile
  /// Block groups of this type and profile.
  public var blockGroups: Int
  /// Bytes used in them.
  public var usedBytes: UInt64

  /// One share per type and profile of `blockGroups`, in type order, then by profile name.
  public static func of(_ blockGroups: [BlockGroup]) -> [ProfileShare] {
    var shares: [BlockGroupFlags: ProfileShare] = [:]
    for group in blockGroups {
      let key = BlockGroupFlags(type: group.type, profile: group.profile)
      shares[
        key,
        default: ProfileShare(
          type: group.type, profile: group.profile, blockGroups: 0, usedBytes: 0)
      ]
      .blockGroups += 1
      shares[key]!.usedBytes += group.used
    }
    return shares.values.sorted { ($0.type, $0.profile.rawValue) < ($1.type, $1.profile.rawValue) }
  }

  /// A line for each type whose block groups have more than one profile:
  /// `Data in 2 profiles (a conversion under way or unfinished): RAID1 3 block groups, 300.00MiB used; single 2, 200.00MiB used`.
  public static func rendered(_ shares: [ProfileShare]) -> [String] {
    Dictionary(grouping: shares, by: \.type).filter { $0.value.count > 1 }.sorted {
      $0.key < $1.key
    }
    .map { type, shares in
      "  \(type.displayName) in \(shares.count) profiles (a conversion under way or unfinished): "
        + shares.map {
          "\($0.profile.displayName) \($0.blockGroups) block groups, \(ByteCount($0.usedBytes)) used"
        }.joined(separator: "; ")
    }
  }
}
