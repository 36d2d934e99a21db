import Btrfs

/// Compares what the kernel did in an operation with what the plan predicted, and plans the rest
/// of the run anew when the two differ by more than one chunk: the executor then runs on a plan
/// made from the real filesystem instead of on predictions that no longer hold.
public struct PredictionCheck: Sendable {
  /// The planner that makes the new plan (the run's policy and its digest).
  public var planner: Planner
  /// At most this many new plans per process's run, so that a filesystem that never behaves as
  /// predicted cannot keep a run going.
  public var maximumReplans: Int

  public init(planner: Planner, maximumReplans: Int = 4) {
    self.planner = planner
    self.maximumReplans = maximumReplans
  }

  /// What one check found.
  public struct Finding: Hashable, Sendable {
    /// Unallocated bytes the plan predicted after the operation.
    public var predictedUnallocated: UInt64
    /// Unallocated bytes the kernel left.
    public var realUnallocated: UInt64
    /// How far apart the two may be before the rest of the run is planned anew: the raw size of
    /// the operation's block group (one chunk).
    public var tolerance: UInt64

    /// Real minus predicted unallocated bytes.
    public var difference: Int64 { Int64(realUnallocated) - Int64(predictedUnallocated) }
    /// Whether the rest of the run must be planned anew.
    public var exceedsTolerance: Bool { UInt64(difference.magnitude) > tolerance }
  }

  /// The comparison after `operation` relocated its block group and left `realUnallocated`. The
  /// tolerance is one chunk: the block group's raw size, or for a conversion a chunk of the target
  /// profile if that is larger (whether the kernel's cleaner has yet deleted an empty chunk an
  /// earlier conversion forced is a matter of seconds).
  public func compare(_ operation: PlannedOperation, realUnallocated: UInt64) -> Finding {
    let own = operation.target.length * UInt64(operation.target.profile.copies)
    let target = operation.convert.map { operation.target.length * UInt64($0.copies) } ?? 0
    return Finding(
      predictedUnallocated: operation.effect.unallocatedAfter, realUnallocated: realUnallocated,
      tolerance: max(own, target))
  }

  /// The operations to run instead of those of `plan` not yet run, planned on `target`'s layout
  /// now; numbered after every operation of `plan`, so that journaled results keep their meaning.
  /// What each rule's operations already relocated (`results`) counts against its limits.
  public func replan(
    _ plan: Plan, results: [Int: OperationResult], on target: any BalanceTarget
  ) throws(PredictionCheckError) -> [PlannedOperation] {
    let layout: Layout
    do {
      layout = try target.planningLayout()
    } catch {
      throw .kernel(error)
    }
    let fresh: Plan
    do {
      fresh = try planner.plan(
        for: layout, at: plan.plannedFor,
        spent: RuleSpending.of(plan.operations, results: results))
    } catch {
      throw .layout(error)
    }
    let offset = plan.operations.map(\.index).max() ?? 0
    return fresh.operations.map { operation in
      var renumbered = operation
      renumbered.index += offset
      return renumbered
    }
  }
}

/// Why the rest of a run could not be planned anew.
public enum PredictionCheckError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The layout could not be read.
  case kernel(BtrfsError)
  /// The layout contradicts itself.
  case layout(LayoutError)

  public var description: String {
    switch self {
    case .kernel(let error): "cannot read the layout to plan anew: \(error)"
    case .layout(let error): "cannot plan anew: \(error)"
    }
  }
}

extension Profile {
  /// How many copies of every byte a chunk of this profile stores (parity profiles count as one).
  var copies: Int {
    switch self {
    case .dup, .raid1, .raid10: 2
    case .raid1c3: 3
    case .raid1c4: 4
    case .single, .raid0, .raid5, .raid6: 1
    }
  }
}
