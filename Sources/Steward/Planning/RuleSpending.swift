/// What a rule's operations have already done in a run, for planning the rest of that run anew: a
/// rule's `max-block-groups` and `max-relocated` bound the whole run, not each plan of it.
public struct RuleSpending: Hashable, Sendable {
  /// Block groups the rule relocated.
  public var blockGroups = 0
  /// Used bytes they held when relocated.
  public var relocatedBytes: UInt64 = 0

  public init(blockGroups: Int = 0, relocatedBytes: UInt64 = 0) {
    self.blockGroups = blockGroups
    self.relocatedBytes = relocatedBytes
  }

  /// Per rule name, what the operations of `operations` with a relocated result in `results` did.
  public static func of(
    _ operations: [PlannedOperation], results: [Int: OperationResult]
  ) -> [String: RuleSpending] {
    var spent: [String: RuleSpending] = [:]
    for operation in operations {
      guard case .relocated(let bytes, _)? = results[operation.index] else { continue }
      spent[operation.rule, default: RuleSpending()].blockGroups += 1
      spent[operation.rule, default: RuleSpending()].relocatedBytes += bytes
    }
    return spent
  }
}
