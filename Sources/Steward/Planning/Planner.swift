import Btrfs
import Foundation

/// Turns a policy and a layout into a ``Plan``: which block groups to relocate, in which order, and
/// what that is predicted to gain.
///
/// Rules are evaluated in order against the layout as the plan so far is predicted to leave it: each
/// chosen relocation is simulated (``SimulatedSpace``), so later choices, goals and the predicted
/// outcome account for where the relocated bytes land. For each rule:
/// - its `when` triggers are checked against the state when the rule starts;
/// - its `until` goals are checked when it starts and after each operation, and it stops as soon as
///   one holds, so a goal is met, not overshot;
/// - block groups are chosen by its `select` and `order` among those of the layout (never one that a
///   predicted relocation creates, never one twice); a block group whose usage rises out of the
///   selection through earlier relocations is dropped;
/// - a block group whose relocation would regain less unallocated space than the rule's
///   `min-gain` (any at all by default) is passed over — with extent detail, after up to four
///   such operations were held to see whether they regain enough together (a light block group
///   whose extents need a new chunk, and the next one that fills it); when the layout carries
///   extents, relocations are simulated extent by extent (docs/relocation-model.md) and the rule
///   is also planned in its other orders, one of which is kept only if it regains more or moves
///   less for as much;
/// - `max-block-groups`, and the policy's `max-operations` and `max-relocated` limits, end it; the
///   limits end the whole plan. `max-relocated` is never exceeded: the plan ends before an operation
///   that would cross it. `max-runtime` cannot be predicted and is only noted.
public struct Planner: Sendable {
  /// The policy to plan.
  public var policy: Policy
  /// The policy's digest, recorded in plans (see ``PolicyDigest``).
  public var policyDigest: String

  public init(policy: Policy, policyDigest: String) {
    self.policy = policy
    self.policyDigest = policyDigest
  }

  /// The plan for `layout` at `instant`. Outside the policy's windows the plan is still made, and
  /// says so (``Plan/outsideWindow``). `spent`: what each rule (by name) already did earlier in the
  /// same run, when the rest of a run is planned anew; it counts against the rule's limits.
  ///
  /// - Throws: ``LayoutError`` when the layout contradicts itself.
  public func plan(
    for layout: Layout, at instant: Date, spent: [String: RuleSpending] = [:]
  ) throws(LayoutError) -> Plan {
    try layout.validate()
    var run = PlanningRun(policy: policy, space: SimulatedSpace(layout: layout), spent: spent)
    let reports = policy.rules.map { run.evaluate($0) }
    // The outcome is the filesystem once the run settled: the cleaner has deleted the chunks the
    // run allocated and left empty (each operation's effect is the state when it returns).
    run.space.removeEmptyCreated()
    let outcome = PredictedOutcome(
      relocatedBytes: run.relocatedBytes, unallocatedBefore: layout.unallocatedBytes,
      unallocatedAfter: run.space.unallocatedBytes, blockGroupsBefore: layout.blockGroups.count,
      blockGroupsAfter: run.space.liveCount,
      devices: PredictedDevice.pairs(before: layout, after: run.space.layout))
    let outsideWindow = !policy.isWithinWindow(at: instant)
    return Plan(
      fsid: layout.fsid, mountpoint: layout.mountpoint, policyName: policy.name,
      policyDigest: policyDigest, plannedFor: instant, outsideWindow: outsideWindow,
      layout: LayoutSummary(layout), operations: run.operations, outcome: outcome, rules: reports,
      notes: notes(for: layout, outsideWindow: outsideWindow, at: instant))
  }

  /// What the prediction does not cover, and what would keep a run from starting.
  private func notes(for layout: Layout, outsideWindow: Bool, at instant: Date) -> [String] {
    var notes: [String] = []
    if outsideWindow {
      notes.append(
        "\(instant.formatted(.iso8601)) is outside the policy's windows: a run would not start")
    }
    let contradictions = policy.contradictions(totalBytes: layout.totalBytes)
    for contradiction in contradictions {
      notes.append("\(contradiction): a run would refuse to start")
    }
    for unknown in policy.unknownDevices(devids: layout.devices.map(\.devid)) {
      notes.append("\(unknown): a run would refuse to start")
    }
    if contradictions.isEmpty, let floor = policy.conditions.minUnallocated {
      let bytes = floor.bytes(ofTotal: layout.totalBytes)
      if layout.unallocatedBytes < bytes {
        notes.append(
          "unallocated \(ByteCount(layout.unallocatedBytes)) is below min-unallocated "
            + "\(floor.explained(bytes)): a run would refuse to start")
      }
    }
    let hasData = layout.blockGroups.contains { $0.type == .data || $0.type == .mixed }
    if hasData, SimulatedSpace.placements(of: layout) == nil {
      notes.append(
        layout.extents == nil
          ? "the layout has no extents of its data block groups (an older layout file, or too many "
            + "extents to read): the prediction counts bytes, not where each extent fits, and is "
            + "coarser (it may promise space that new chunks take back)"
          : "the layout lacks the extents of some data block groups: the prediction counts "
            + "bytes, not where each extent fits, and is coarser")
    } else if let drift = layout.extentDrift {
      notes.append(
        "\(drift.blockGroups) data block group\(drift.blockGroups == 1 ? "" : "s") changed while "
          + "the layout was read: \(drift.blockGroups == 1 ? "its" : "their") extents add up to "
          + "\(ByteCount(drift.extentBytes)), the block-group items (updated when a transaction "
          + "commits) say \(ByteCount(drift.usedBytes)); the prediction takes the extents")
    }
    if let maxRuntime = policy.limits.maxRuntime {
      notes.append(
        "max-runtime \(DurationText(maxRuntime)) is not predicted: a run may pause before the end")
    }
    return notes
  }
}
