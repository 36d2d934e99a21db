/// Two amounts of one policy that contradict each other on a filesystem of a given size: the
/// policy's mistake, found once sizes and percentages can be compared (`validate` compares them
/// only when both are sizes or both percentages). Each names where both amounts are written.
public struct PolicyContradiction: Error, Hashable, Sendable, CustomStringConvertible {
  /// Which two amounts contradict each other.
  public enum Kind: Hashable, Sendable {
    /// The rule's trigger is at or below `min-unallocated`: whenever the rule would fire, a run
    /// refuses to start, so it never fires.
    case triggerAtOrBelowFloor
    /// The rule's goal is below its trigger: it would fire and be done at once.
    case goalBelowTrigger
  }

  public var kind: Kind
  /// The rule concerned.
  public var rule: String
  /// The size of the filesystem the amounts were compared on.
  public var totalBytes: UInt64
  /// The first amount (the trigger; the goal for ``Kind/goalBelowTrigger``), in bytes, and where
  /// it is written.
  public var amount: SpaceAmount
  public var bytes: UInt64
  public var source: PolicySource?
  /// The amount it contradicts (the floor; the trigger), in bytes, and where it is written.
  public var other: SpaceAmount
  public var otherBytes: UInt64
  public var otherSource: PolicySource?

  /// `file:line:column: error: …`, naming the other position too.
  public var description: String {
    let position = source.map { "\($0): error: " } ?? "error: "
    let otherPosition = otherSource.map { " (at \($0))" } ?? ""
    let filesystem = "on this filesystem of \(ByteCount(totalBytes))"
    switch kind {
    case .triggerAtOrBelowFloor:
      return position
        + "rule '\(rule)' can never fire \(filesystem): its trigger 'unallocated-below: "
        + "\(amount.explained(bytes))' is not above 'min-unallocated: \(other.explained(otherBytes))'"
        + "\(otherPosition), below which a run refuses to start; lower the floor or raise the "
        + "trigger (or write both as percentages, or both as sizes)"
    case .goalBelowTrigger:
      return position
        + "rule '\(rule)' would fire and be done at once \(filesystem): its goal "
        + "'unallocated-above: \(amount.explained(bytes))' is below its trigger 'unallocated-below: "
        + "\(other.explained(otherBytes))'\(otherPosition); make the goal at least the trigger"
    }
  }
}

extension Policy {
  /// Every contradiction between the policy's amounts on a filesystem of `totalBytes`, in rule
  /// order: a run refuses to start on that filesystem when there is any.
  public func contradictions(totalBytes: UInt64) -> [PolicyContradiction] {
    var found: [PolicyContradiction] = []
    for rule in rules {
      for case .unallocatedBelow(let trigger) in rule.when {
        let triggerBytes = trigger.bytes(ofTotal: totalBytes)
        if let floor = conditions.minUnallocated,
          case let floorBytes = floor.bytes(ofTotal: totalBytes), triggerBytes <= floorBytes
        {
          found.append(
            PolicyContradiction(
              kind: .triggerAtOrBelowFloor, rule: rule.name, totalBytes: totalBytes,
              amount: trigger, bytes: triggerBytes, source: rule.sources.trigger, other: floor,
              otherBytes: floorBytes, otherSource: conditions.sources.minUnallocated))
        }
        for case .unallocatedAbove(let goal) in rule.until
        where goal.bytes(ofTotal: totalBytes) < triggerBytes {
          found.append(
            PolicyContradiction(
              kind: .goalBelowTrigger, rule: rule.name, totalBytes: totalBytes, amount: goal,
              bytes: goal.bytes(ofTotal: totalBytes), source: rule.sources.goal, other: trigger,
              otherBytes: triggerBytes, otherSource: rule.sources.trigger))
        }
      }
    }
    return found
  }
}
