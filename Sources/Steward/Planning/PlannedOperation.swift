import Btrfs

/// One balance operation of a plan: one block group, relocated with exactly these arguments.
public struct PlannedOperation: Hashable, Sendable, Codable {
  /// The operation's position in the plan, from 1.
  public var index: Int
  /// The block group it relocates, as it is predicted to be when the operation starts.
  public var target: TargetBlockGroup
  /// The name of the rule that chose the block group.
  public var rule: String
  /// What the operation is predicted to do.
  public var effect: PredictedEffect
  /// The profile the block group is converted to, `nil` when it keeps its own.
  public var convert: Profile?

  public init(
    index: Int, target: TargetBlockGroup, rule: String, effect: PredictedEffect,
    convert: Profile? = nil
  ) {
    self.index = index
    self.target = target
    self.rule = rule
    self.effect = effect
    self.convert = convert
  }

  /// The arguments passed to the kernel: a `vrange` covering the target's first byte (see
  /// ``BalanceArguments/relocating(vaddr:type:)``), and for a conversion `convert=` with `soft`, so
  /// that a block group converted already is left alone. They follow from the target, so a plan of
  /// a quarter of a million operations does not carry a quarter of a million filter sets; JSON
  /// output still shows them, for readers and scripts.
  public var arguments: BalanceArguments {
    var arguments = BalanceArguments.relocating(vaddr: target.vaddr, type: target.type)
    if let convert {
      arguments.data?.convert = convert
      arguments.data?.soft = true
      arguments.metadata?.convert = convert
      arguments.metadata?.soft = true
    }
    return arguments
  }

  private enum CodingKeys: String, CodingKey {
    case index, target, arguments, rule, effect, convert
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    index = try container.decode(Int.self, forKey: .index)
    target = try container.decode(TargetBlockGroup.self, forKey: .target)
    rule = try container.decode(String.self, forKey: .rule)
    effect = try container.decode(PredictedEffect.self, forKey: .effect)
    convert = try container.decodeIfPresent(Profile.self, forKey: .convert)
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(index, forKey: .index)
    try container.encode(target, forKey: .target)
    try container.encode(arguments, forKey: .arguments)
    try container.encode(rule, forKey: .rule)
    try container.encode(effect, forKey: .effect)
    try container.encodeIfPresent(convert, forKey: .convert)
  }
}

/// The block group an operation relocates.
public struct TargetBlockGroup: Hashable, Sendable, Codable {
  /// Its logical address.
  public var vaddr: UInt64
  /// Its logical length.
  public var length: UInt64
  /// Its type.
  public var type: BlockGroupType
  /// Its profile.
  public var profile: Profile
  /// Its used bytes.
  public var used: UInt64

  /// The target for `blockGroup`.
  public init(_ blockGroup: BlockGroup) {
    vaddr = blockGroup.vaddr
    length = blockGroup.length
    type = blockGroup.type
    profile = blockGroup.profile
    used = blockGroup.used
  }

  /// The fraction in use, in percent.
  public var usagePercent: Double { length == 0 ? 0 : Double(used) * 100 / Double(length) }
}

/// What one operation is predicted to do.
public struct PredictedEffect: Hashable, Sendable, Codable {
  /// Used bytes it moves.
  public var relocatedBytes: UInt64
  /// New chunks it allocates because other block groups could not hold the bytes.
  public var newChunks: Int
  /// Unallocated bytes once it is done.
  public var unallocatedAfter: UInt64
  /// Block groups once it is done.
  public var blockGroupsAfter: Int

  public init(
    relocatedBytes: UInt64, newChunks: Int, unallocatedAfter: UInt64, blockGroupsAfter: Int
  ) {
    self.relocatedBytes = relocatedBytes
    self.newChunks = newChunks
    self.unallocatedAfter = unallocatedAfter
    self.blockGroupsAfter = blockGroupsAfter
  }
}
