/// What one rule did in a plan, and why it stopped, for a person (``explanation``) and for a machine
/// (``verdict``).
public struct RuleReport: Hashable, Sendable, Codable {
  /// The rule's name.
  public var rule: String
  /// Whether its `when` triggers held when it started (a rule without triggers always fires).
  public var fired: Bool
  /// Why the rule planned what it planned and no more.
  public var verdict: RuleVerdict
  /// The same, in words, for example `did not fire: unallocated 12.00GiB is not below 10% (5.00GiB)`.
  public var explanation: String
  /// Operations the rule planned.
  public var operations: Int
  /// Used bytes those operations move.
  public var relocatedBytes: UInt64
  /// Selected block groups passed over: relocating them would free nothing, or (with
  /// `on-no-space: skip`) would run out of space.
  public var skippedBlockGroups: Int

  public init(
    rule: String, fired: Bool, verdict: RuleVerdict, explanation: String, operations: Int = 0,
    relocatedBytes: UInt64 = 0, skippedBlockGroups: Int = 0
  ) {
    self.rule = rule
    self.fired = fired
    self.verdict = verdict
    self.explanation = explanation
    self.operations = operations
    self.relocatedBytes = relocatedBytes
    self.skippedBlockGroups = skippedBlockGroups
  }
}

/// Why a rule planned what it planned and no more.
public enum RuleVerdict: String, Hashable, Sendable, Codable, CaseIterable {
  /// A `when` trigger did not hold.
  case notTriggered = "not-triggered"
  /// An `until` goal already held when the rule started.
  case goalAlreadyMet = "goal-already-met"
  /// No block group matched the selection.
  case noMatch = "no-match"
  /// Every matching block group was planned or passed over.
  case exhausted
  /// An `until` goal was reached.
  case goalReached = "goal-reached"
  /// The rule's `max-block-groups` was reached.
  case maxBlockGroups = "max-block-groups"
  /// The policy's `max-operations` limit was reached.
  case maxOperations = "max-operations"
  /// The policy's `max-relocated` limit was reached.
  case maxRelocated = "max-relocated"
  /// The rule's own `max-relocated` was reached.
  case ruleMaxRelocated = "rule-max-relocated"
  /// A relocation would run out of space and the rule says `on-no-space: stop`.
  case noSpace = "no-space"
  /// A converting rule's target profile cannot be allocated on the filesystem's devices (raid1 on
  /// one device).
  case cannotConvert = "cannot-convert"
  /// The plan had already ended in an earlier rule (a limit, or ENOSPC).
  case notEvaluated = "not-evaluated"
}
