import Btrfs

/// The state of one planning pass: the simulated filesystem as the operations so far leave it, the
/// operations, and whether a policy-wide limit has ended the plan.
struct PlanningRun {
  let policy: Policy
  var space: SimulatedSpace
  let totalBytes: UInt64
  // Set here and by conversions (PlanningRun+Conversion.swift), nowhere else.
  var operations: [PlannedOperation] = []
  var relocatedBytes: UInt64 = 0
  /// Why the plan ended before this rule, in words, when a limit or ENOSPC ended it.
  var ended: String?
  /// What each rule did earlier in the run this plan continues (see ``Planner/plan(for:at:spent:)``).
  let spent: [String: RuleSpending]

  init(policy: Policy, space: SimulatedSpace, spent: [String: RuleSpending] = [:]) {
    self.policy = policy
    self.space = space
    self.spent = spent
    totalBytes = space.base.totalBytes
  }

  /// Plans `rule` and reports what it did.
  ///
  /// With extent detail, the rule's candidates are also planned in the other orders, and an order
  /// is taken instead of the rule's only when the model predicts it regains as much while moving
  /// fewer bytes, or more at no more bytes moved per byte regained (data moved into a block group
  /// relocated later moves twice, and the order decides where relocated extents land): more space
  /// bought at a higher price per byte is not what a least-used rule asks for. The report says so.
  mutating func evaluate(_ rule: Rule) -> RuleReport {
    if let profile = rule.convert { return evaluateConversion(rule, to: profile) }
    if let goal = SpreadGoal(rule) { return evaluateSpreading(rule, toward: goal) }
    guard space.hasExtentDetail else { return evaluate(rule, order: rule.order) }
    let start = self
    var best = self
    var bestReport = best.evaluate(rule, order: rule.order)
    var bestOrder = rule.order
    for order in Order.allCases where order != rule.order {
      var trial = start
      let report = trial.evaluate(rule, order: order)
      if trial.outperforms(best, from: start) {
        (best, bestReport, bestOrder) = (trial, report, order)
      }
    }
    if bestOrder != rule.order {
      let rulesOwn = start.evaluatedAlone(rule, order: rule.order)
      bestReport.explanation +=
        "; planned \(bestOrder.rawValue) rather than \(rule.order.rawValue): the model predicts "
        + "\(ByteCount(best.space.unallocatedBytes)) unallocated after moving "
        + "\(ByteCount(best.relocatedBytes - start.relocatedBytes)), against "
        + "\(ByteCount(rulesOwn.unallocated)) after moving \(ByteCount(rulesOwn.moved))"
    }
    self = best
    return bestReport
  }

  /// Whether this pass, planned from `start`, does better than `other`, planned from the same
  /// state: it ends with as much unallocated space after moving fewer bytes, or with more after
  /// moving no more bytes per byte regained (or when `other` regains nothing).
  private func outperforms(_ other: PlanningRun, from start: PlanningRun) -> Bool {
    let (unallocated, otherUnallocated) = (space.unallocatedBytes, other.space.unallocatedBytes)
    let moved = Double(relocatedBytes - start.relocatedBytes)
    let otherMoved = Double(other.relocatedBytes - start.relocatedBytes)
    if unallocated == otherUnallocated { return moved < otherMoved }
    guard unallocated > otherUnallocated else { return false }
    let origin = start.space.unallocatedBytes
    guard otherUnallocated > origin else { return true }
    // moved / gain ≤ otherMoved / otherGain, with both gains positive.
    return moved * Double(otherUnallocated - origin) <= otherMoved * Double(unallocated - origin)
  }

  /// Unallocated bytes and bytes moved after planning `rule` in `order` from this state.
  private func evaluatedAlone(_ rule: Rule, order: Order) -> (unallocated: UInt64, moved: UInt64) {
    var trial = self
    _ = trial.evaluate(rule, order: order)
    return (trial.space.unallocatedBytes, trial.relocatedBytes - relocatedBytes)
  }

  /// The report of `rule` when it is not planned: the plan has ended (a run-wide limit), or one of
  /// its `when` triggers does not hold; `nil` when it fires.
  func notFiring(_ rule: Rule) -> RuleReport? {
    if let ended {
      return RuleReport(
        rule: rule.name, fired: false, verdict: .notEvaluated,
        explanation: "not evaluated: \(ended)")
    }
    let unallocated = space.unallocatedBytes
    for trigger in rule.when {
      let (holds, reason) = trigger.evaluate(unallocated: unallocated, totalBytes: totalBytes)
      if !holds {
        return RuleReport(
          rule: rule.name, fired: false, verdict: .notTriggered,
          explanation: "did not fire: \(reason)")
      }
    }
    return nil
  }

  /// Plans `rule` with its candidates in `order` and reports what it did.
  private mutating func evaluate(_ rule: Rule, order: Order) -> RuleReport {
    if let report = notFiring(rule) { return report }
    if let reason = metGoal(rule) {
      return RuleReport(
        rule: rule.name, fired: true, verdict: .goalAlreadyMet,
        explanation: "goal already met: \(reason)")
    }
    var queue = CandidateQueue(rule.select, order: order, in: space)
    if queue.matched == 0 {
      return RuleReport(
        rule: rule.name, fired: true, verdict: .noMatch, explanation: "no block group matched")
    }
    var progress = RuleProgress()
    let (verdict, explanation) = plan(rule, from: &queue, progress: &progress)
    let skipped = progress.skippedUseless + progress.skippedNoSpace
    return RuleReport(
      rule: rule.name, fired: true, verdict: verdict,
      explanation: explanation
        + progress.skipNote(
          matched: queue.matched,
          minGain: rule.minGain.map { $0.explained($0.bytes(ofTotal: totalBytes)) },
          outgrown: outgrownNote(queue.outgrown)),
      operations: progress.operations, relocatedBytes: progress.relocatedBytes,
      skippedBlockGroups: skipped)
  }

  /// What one rule has planned so far.
  private struct RuleProgress {
    var operations = 0
    var relocatedBytes: UInt64 = 0
    var skippedUseless = 0
    var skippedNoSpace = 0

    func skipNote(matched: Int, minGain: String?, outgrown: String?) -> String {
      var parts: [String] = []
      if let outgrown { parts.append(outgrown) }
      if skippedUseless > 0 {
        parts.append(
          "\(skippedUseless) passed over: relocating them would regain "
            + (minGain.map { "less than min-gain \($0)" } ?? "no unallocated space")
            + " (their extents would need new chunks, or the space they free is taken again)")
      }
      if skippedNoSpace > 0 {
        parts.append("\(skippedNoSpace) passed over: relocating them would run out of space")
      }
      return parts.isEmpty ? "" : " (\(matched) matched; \(parts.joined(separator: "; ")))"
    }

    var blockGroups: String { operations == 1 ? "1 block group" : "\(operations) block groups" }
  }

  /// Says which candidates the rule dropped because the plan's own relocations filled them past
  /// its selection (the kernel puts relocated extents into the other block groups' holes), or
  /// `nil` when it dropped none.
  private func outgrownNote(_ outgrown: [Int]) -> String? {
    guard let first = outgrown.first else { return nil }
    let percent = { (group: BlockGroup) in oneDecimal(group.usagePercent) + "%" }
    let before = space.base.blockGroups[first]
    return "\(outgrown.count) no longer matched once the plan's relocations filled "
      + (outgrown.count == 1 ? "it: the block group" : "them: the first, the block group")
      + " at \(before.vaddr), \(percent(before)) → \(percent(space.groups[first]))"
  }

  /// Plans operations for `rule` from `queue` until something stops it; returns why.
  private mutating func plan(
    _ rule: Rule, from queue: inout CandidateQueue, progress: inout RuleProgress
  ) -> (RuleVerdict, String) {
    var held: HeldOperations?
    let (verdict, explanation) = planOperations(
      rule, from: &queue, progress: &progress, held: &held)
    progress.skippedUseless += dropHeld(&held)
    return (verdict, explanation)
  }

  /// The loop of ``plan(_:from:progress:)``; operations still held when it returns are dropped.
  private mutating func planOperations(
    _ rule: Rule, from queue: inout CandidateQueue, progress: inout RuleProgress,
    held: inout HeldOperations?
  ) -> (RuleVerdict, String) {
    while true {
      let heldCount = held?.operations.count ?? 0
      if let stop = ruleMaxBlockGroups(rule, planned: progress.operations + heldCount) {
        return stop
      }
      if let (verdict, reason) = maxOperationsReached(pending: heldCount) {
        return (verdict, "\(reason) after \(progress.blockGroups)")
      }
      guard let index = queue.next(in: space) else {
        let passedOver =
          progress.skippedUseless + progress.skippedNoSpace + queue.outgrown.count + heldCount
        return (
          .exhausted,
          progress.operations == 0
            ? "no matching block group could usefully be relocated"
            : passedOver == 0
              ? "all matching block groups planned (\(progress.blockGroups))"
              : "\(progress.blockGroups) planned, every other matching one passed over"
        )
      }
      let group = space.groups[index]
      if let (verdict, reason) = maxRelocatedReached(
        next: group, pending: held?.relocatedBytes ?? 0)
      {
        return (
          verdict,
          "\(reason) after \(progress.blockGroups): the next block group holds "
            + "\(ByteCount(group.used)), \(ByteCount(relocatedBytes)) relocated so far"
        )
      }
      if let stop = ruleMaxRelocated(
        rule, movedByRule: progress.relocatedBytes + (held?.relocatedBytes ?? 0), next: group)
      {
        return stop
      }
      let heldBefore = held?.operations ?? []
      switch relocate(index, rule: rule, held: &held) {
      case .held:
        break
      case .relocated:
        progress.operations += heldBefore.count + 1
        progress.relocatedBytes += heldBefore.reduce(group.used) { $0 + $1.target.used }
        if let reason = metGoal(rule) {
          return (.goalReached, "goal reached after \(progress.blockGroups): \(reason)")
        }
      case .useless:
        progress.skippedUseless += 1
      case .outOfSpace where rule.onNoSpace == .skip:
        progress.skippedNoSpace += 1
      case .outOfSpace:
        ended = "rule \(rule.name) stopped on ENOSPC"
        return (
          .noSpace,
          "stopped after \(progress.blockGroups): relocating the block group at \(group.vaddr) "
            + "(\(ByteCount(group.used)) used) would run out of space"
        )
      }
    }
  }

  private enum RelocationResult { case relocated, held, useless, outOfSpace }

  /// Operations the extent-level model simulated that regain too little on their own, held until
  /// the next ones make the group worth it (a light block group whose extents need a new chunk,
  /// and the next one that fills that chunk), or dropped with the space as it was before them.
  private struct HeldOperations {
    /// The model before the first held operation.
    var spaceBefore: SimulatedSpace
    var operations: [PlannedOperation] = []
    var relocatedBytes: UInt64 = 0
  }

  /// At most this many operations are held: a group that gains nothing after that is dropped.
  private static let maximumHeld = 4

  /// Simulates relocating the block group at `index` with the arguments the kernel will get, and
  /// records the operation, unless it (with the operations held before it) would regain less than
  /// the rule's `min-gain` (any gain at all by default) or run out of space.
  private mutating func relocate(
    _ index: Int, rule: Rule, held: inout HeldOperations?
  ) -> RelocationResult {
    let group = space.groups[index]
    // The planner knows its block group: the generic filter evaluation only checks, in debug
    // builds, that the arguments the kernel will get select exactly that one.
    assert(
      space.selection(.relocating(group)).map(\.index) == [index],
      "a vrange balance selects its block group alone")
    let threshold = max(rule.minGain?.bytes(ofTotal: totalBytes) ?? 1, 1)
    guard space.hasExtentDetail, space.placements[index] != nil else {
      return relocateByBytes(index, rule: rule, threshold: threshold)
    }
    var trial = space
    var batch = RelocationBatch(soleMember: index, in: trial)
    let newChunks: Int
    do {
      newChunks = try trial.relocate(index, to: group.profile, in: &batch)
    } catch {
      return .outOfSpace
    }
    let operation = PlannedOperation(
      index: operations.count + (held?.operations.count ?? 0) + 1, target: TargetBlockGroup(group),
      rule: rule.name,
      effect: PredictedEffect(
        relocatedBytes: group.used, newChunks: newChunks, unallocatedAfter: trial.unallocatedBytes,
        blockGroupsAfter: trial.liveCount))
    let start = held?.spaceBefore.unallocatedBytes ?? space.unallocatedBytes
    let gain = Int64(trial.unallocatedBytes) - Int64(start)
    if gain >= Int64(threshold) {
      for earlier in held?.operations ?? [] { operations.append(earlier) }
      relocatedBytes += (held?.relocatedBytes ?? 0) + group.used
      operations.append(operation)
      held = nil
      space = trial
      return .relocated
    }
    if (held?.operations.count ?? 0) >= Self.maximumHeld { return .useless }
    if held == nil { held = HeldOperations(spaceBefore: space) }
    held?.operations.append(operation)
    held?.relocatedBytes += group.used
    space = trial
    return .held
  }

  /// Drops the held operations: the model goes back to before them; returns how many there were.
  private mutating func dropHeld(_ held: inout HeldOperations?) -> Int {
    guard let dropped = held else { return 0 }
    space = dropped.spaceBefore
    held = nil
    return dropped.operations.count
  }

  /// ``relocate(_:rule:held:)`` by bytes alone, for block groups without extent detail: the chunks
  /// the relocation needs are known before it is simulated, so nothing is copied.
  private mutating func relocateByBytes(
    _ index: Int, rule: Rule, threshold: UInt64
  ) -> RelocationResult {
    let group = space.groups[index]
    var batch = RelocationBatch(soleMember: index, in: space)
    do {
      let chunks = try space.chunksNeeded(relocating: index, to: group.profile, in: batch)
      let allocated = chunks.reduce(UInt64(0)) { $0 + $1.rawBytes }
      let freed = space.rawBytes(index)
      guard freed > allocated, freed - allocated >= threshold else { return .useless }
      space.relocate(index, to: group.profile, in: &batch, adding: chunks)
      appendOperation(group, rule: rule, newChunks: chunks.count)
      return .relocated
    } catch {
      return .outOfSpace
    }
  }

  /// Plans the relocation of `group`, already simulated in ``space``, as the next operation: its
  /// predicted effect is the model as it stands now.
  mutating func appendOperation(
    _ group: BlockGroup, rule: Rule, newChunks: Int, convert: Profile? = nil
  ) {
    relocatedBytes += group.used
    operations.append(
      PlannedOperation(
        index: operations.count + 1, target: TargetBlockGroup(group), rule: rule.name,
        effect: PredictedEffect(
          relocatedBytes: group.used, newChunks: newChunks,
          unallocatedAfter: space.unallocatedBytes, blockGroupsAfter: space.liveCount),
        convert: convert))
  }

  /// What `rule` did earlier in the run this plan continues.
  func spent(_ rule: Rule) -> RuleSpending { spent[rule.name] ?? RuleSpending() }

  /// Whether `rule` may plan no more block groups (`max-block-groups`), counting what it already
  /// relocated in this run and `planned` more; the verdict and its reason when so.
  func ruleMaxBlockGroups(_ rule: Rule, planned: Int) -> (RuleVerdict, String)? {
    guard let maximum = rule.maxBlockGroups, spent(rule).blockGroups + planned >= maximum else {
      return nil
    }
    return (.maxBlockGroups, "max-block-groups \(maximum) reached")
  }

  /// Whether the policy's `limits: max-operations` is reached with `pending` more operations; if
  /// so the plan ends (``ended``) and the verdict and its reason are returned.
  mutating func maxOperationsReached(pending: Int = 0) -> (RuleVerdict, String)? {
    guard let maximum = policy.limits.maxOperations, operations.count + pending >= maximum else {
      return nil
    }
    ended = "limit max-operations \(maximum) reached"
    return (.maxOperations, "limit max-operations \(maximum) reached")
  }

  /// Whether relocating `group` after `pending` more bytes would cross the policy's
  /// `limits: max-relocated`; if so the plan ends (``ended``) and the verdict and its reason are
  /// returned.
  mutating func maxRelocatedReached(
    next group: BlockGroup, pending: UInt64 = 0
  ) -> (RuleVerdict, String)? {
    guard let maximum = policy.limits.maxRelocatedBytes,
      relocatedBytes + pending + group.used > maximum
    else { return nil }
    ended = "limit max-relocated \(ByteCount(maximum)) reached"
    return (.maxRelocated, "limit max-relocated \(ByteCount(maximum)) reached")
  }

  /// The verdict that ends `rule` before `group` when relocating it would take the bytes the rule
  /// moved (in this plan: `movedByRule`, and earlier in the run) past the rule's own
  /// `max-relocated`; `nil` when it does not (or the rule has none).
  func ruleMaxRelocated(
    _ rule: Rule, movedByRule: UInt64, next group: BlockGroup
  ) -> (RuleVerdict, String)? {
    let movedByRule = spent(rule).relocatedBytes + movedByRule
    guard let maximum = rule.maxRelocatedBytes, movedByRule + group.used > maximum else {
      return nil
    }
    return (
      .ruleMaxRelocated,
      "the rule's max-relocated \(ByteCount(maximum)) reached: the next block group holds "
        + "\(ByteCount(group.used)), \(ByteCount(movedByRule)) relocated by the rule so far"
    )
  }

  /// Why one of `rule`'s goals holds now, or `nil` when none does.
  func metGoal(_ rule: Rule) -> String? {
    let unallocated = space.unallocatedBytes
    // Checked after every operation: the reason, in words, is only built for a goal that holds.
    for goal in rule.until where goal.holds(unallocated: unallocated, totalBytes: totalBytes) {
      return goal.evaluate(unallocated: unallocated, totalBytes: totalBytes).reason
    }
    return nil
  }
}
