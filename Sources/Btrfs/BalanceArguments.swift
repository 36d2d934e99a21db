/// What a balance should relocate: one optional filter per block-group type, as `btrfs balance start`
/// takes them with `-d`, `-m` and `-s`. A type with no filter is not balanced.
public struct BalanceArguments: Hashable, Sendable, Codable {
  /// The filter for data block groups, or `nil` to leave data alone.
  public var data: BalanceFilter?
  /// The filter for metadata block groups, or `nil` to leave metadata alone.
  public var metadata: BalanceFilter?
  /// The filter for system block groups, or `nil` to leave system alone.
  public var system: BalanceFilter?
  /// Allow reducing redundancy and balancing system chunks on their own (`-f`).
  public var force: Bool

  public init(
    data: BalanceFilter? = nil, metadata: BalanceFilter? = nil, system: BalanceFilter? = nil,
    force: Bool = false
  ) {
    self.data = data
    self.metadata = metadata
    self.system = system
    self.force = force
  }

  /// Arguments that relocate exactly one block group: a `vrange` filter covering its first byte only,
  /// on the filter of its own type (both data and metadata for a mixed block group). System block
  /// groups need `force`, as the kernel refuses a system filter on its own without it.
  public static func relocating(_ blockGroup: BlockGroup) -> BalanceArguments {
    relocating(vaddr: blockGroup.vaddr, type: blockGroup.type)
  }

  /// Arguments that relocate exactly the block group of `type` at `vaddr`, as
  /// ``relocating(_:)`` does.
  public static func relocating(vaddr: UInt64, type: BlockGroupType) -> BalanceArguments {
    let filter = BalanceFilter(virtualRange: vaddr..<(vaddr + 1))
    switch type {
    case .data: return BalanceArguments(data: filter)
    case .metadata: return BalanceArguments(metadata: filter)
    case .system: return BalanceArguments(system: filter, force: true)
    case .mixed: return BalanceArguments(data: filter, metadata: filter)
    }
  }
}

/// The filters of one block-group type; a block group is balanced when it passes every filter that is set.
/// The names follow `btrfs balance start`'s filter language.
public struct BalanceFilter: Hashable, Sendable, Codable {
  /// How a usage filter bounds a block group's usage, in percent.
  public enum Usage: Hashable, Sendable, Codable {
    /// Usage strictly below this percentage (`usage=N`).
    case below(UInt32)
    /// Usage within this inclusive range (`usage=MIN..MAX`).
    case range(ClosedRange<UInt32>)
  }

  /// How many block groups to process at most.
  public enum Limit: Hashable, Sendable, Codable {
    /// At most this many (`limit=N`).
    case count(UInt64)
    /// At least the lower bound and at most the upper bound (`limit=MIN..MAX`).
    case range(ClosedRange<UInt32>)
  }

  /// Only block groups of these profiles (`profiles=`).
  public var profiles: Set<Profile>?
  /// Only block groups whose usage passes this (`usage=`).
  public var usage: Usage?
  /// Only block groups with a stripe on this device (`devid=`).
  public var devid: UInt64?
  /// Only block groups with a stripe overlapping this physical range of ``devid`` (`drange=`).
  public var physicalRange: Range<UInt64>?
  /// Only block groups overlapping this logical range (`vrange=`).
  public var virtualRange: Range<UInt64>?
  /// At most this many block groups (`limit=`).
  public var limit: Limit?
  /// Only block groups spanning this many devices (`stripes=`).
  public var stripes: ClosedRange<UInt32>?
  /// Convert relocated block groups to this profile (`convert=`).
  public var convert: Profile?
  /// With ``convert``: skip block groups that already have the target profile (`soft`).
  public var soft: Bool

  public init(
    profiles: Set<Profile>? = nil, usage: Usage? = nil, devid: UInt64? = nil,
    physicalRange: Range<UInt64>? = nil, virtualRange: Range<UInt64>? = nil, limit: Limit? = nil,
    stripes: ClosedRange<UInt32>? = nil, convert: Profile? = nil, soft: Bool = false
  ) {
    self.profiles = profiles
    self.usage = usage
    self.devid = devid
    self.physicalRange = physicalRange
    self.virtualRange = virtualRange
    self.limit = limit
    self.stripes = stripes
    self.convert = convert
    self.soft = soft
  }
}

extension BalanceFilter: CustomStringConvertible {
  /// The filter in `btrfs balance start` syntax, for example `usage=10,vrange=1048576..1048577`.
  public var description: String {
    var parts: [String] = []
    if let profiles {
      parts.append("profiles=" + profiles.map(\.rawValue).sorted().joined(separator: "|"))
    }
    switch usage {
    case .below(let percent): parts.append("usage=\(percent)")
    case .range(let range): parts.append("usage=\(range.lowerBound)..\(range.upperBound)")
    case nil: break
    }
    if let devid { parts.append("devid=\(devid)") }
    if let physicalRange {
      parts.append("drange=\(physicalRange.lowerBound)..\(physicalRange.upperBound)")
    }
    if let virtualRange {
      parts.append("vrange=\(virtualRange.lowerBound)..\(virtualRange.upperBound)")
    }
    switch limit {
    case .count(let count): parts.append("limit=\(count)")
    case .range(let range): parts.append("limit=\(range.lowerBound)..\(range.upperBound)")
    case nil: break
    }
    if let stripes { parts.append("stripes=\(stripes.lowerBound)..\(stripes.upperBound)") }
    if let convert { parts.append("convert=\(convert.rawValue)") }
    if soft { parts.append("soft") }
    return parts.joined(separator: ",")
  }
}
