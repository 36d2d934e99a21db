import Btrfs
import Foundation
import Testing

@testable import Steward

/// The planner's fast path (a sorted candidate list, batches of one kept without hashing, goals put in
/// words only when they hold) must plan exactly what a straightforward computation plans: scan every
/// block group for the next one in the rule's order, and relocate it through the generic balance path
/// (the kernel arguments' filters evaluated, a batch built from their selection).
@Suite("Plan equivalence")
struct PlanEquivalenceTests {
  static let instant = Date(timeIntervalSince1970: 1_735_700_000)

  static func plan(_ rules: [Rule], _ layout: Layout) throws -> Plan {
    try Planner(policy: Policy(name: "equivalence", rules: rules), policyDigest: "test")
      .plan(for: layout, at: instant)
  }

  /// The operations of `rule` alone on `layout`, planned the slow and obvious way.
  static func referenceOperations(_ rule: Rule, on layout: Layout) -> [PlannedOperation] {
    var space = SimulatedSpace(layout: layout)
    let totalBytes = layout.totalBytes
    func goalMet(_ space: SimulatedSpace) -> Bool {
      rule.until.contains {
        $0.evaluate(unallocated: space.unallocatedBytes, totalBytes: totalBytes).holds
      }
    }
    func key(_ index: Int, _ space: SimulatedSpace) -> (UInt64, Int) {
      let group = space.groups[index]
      return switch rule.order {
      case .leastUsedFirst: (group.used, index)
      case .mostFreeFirst: (UInt64.max - group.free, index)
      case .vaddr: (0, index)
      }
    }
    var passed = Set<Int>()
    var operations: [PlannedOperation] = []
    guard !goalMet(space) else { return [] }
    while rule.maxBlockGroups.map({ operations.count < $0 }) ?? true {
      var best: Int?
      for index in layout.blockGroups.indices where space.isAlive[index] && !passed.contains(index)
      {
        guard rule.select.matches(space.groups[index], chunk: { space.chunk(index) }) else {
          continue
        }
        if let current = best, key(current, space) < key(index, space) { continue }
        best = index
      }
      guard let index = best else { break }
      passed.insert(index)
      let group = space.groups[index]
      let arguments = BalanceArguments.relocating(group)
      let targets = space.selection(arguments)
      #expect(targets.map(\.index) == [index])
      var batch = RelocationBatch(targets.map(\.index), in: space)
      let chunks: [Chunk]
      do {
        chunks = try space.chunksNeeded(relocating: index, to: targets[0].profile, in: batch)
      } catch {
        if rule.onNoSpace == .skip { continue } else { break }
      }
      let allocated = chunks.reduce(UInt64(0)) { $0 + $1.stripeLength * UInt64($1.stripes.count) }
      if !chunks.isEmpty, space.rawBytes(index) <= allocated { continue }
      do {
        try space.relocate(index, to: targets[0].profile, in: &batch)
      } catch {
        Issue.record("relocation failed after its chunks were found")
        break
      }
      operations.append(
        PlannedOperation(
          index: operations.count + 1, target: TargetBlockGroup(group),
          rule: rule.name,
          effect: PredictedEffect(
            relocatedBytes: group.used, newChunks: chunks.count,
            unallocatedAfter: space.unallocatedBytes, blockGroupsAfter: space.liveCount)))
      if goalMet(space) { break }
    }
    return operations
  }

  static let cases: [(String, SyntheticLayout, Rule)] = [
    (
      "least used, until a goal",
      SyntheticLayout(dataBlockGroups: 2_000, seed: 3),
      Rule(
        name: "compact", select: Selection(type: .data, usageBelow: 60),
        until: [.unallocatedAbove(.percent(25))])
    ),
    (
      "most free, until nothing matches",
      SyntheticLayout(dataBlockGroups: 1_500, seed: 11),
      Rule(name: "drain", select: Selection(type: .data, usageBelow: 90), order: .mostFreeFirst)
    ),
    (
      "nearly full, short of space, skipping",
      SyntheticLayout(
        dataBlockGroups: 1_200, dataUsage: .uniform(70...100), deviceCount: 2,
        unallocatedBytesPerDevice: 1 << 30, seed: 5),
      Rule(
        name: "squeeze", select: Selection(type: .data, usageBelow: 100), onNoSpace: .skip)
    ),
    (
      "metadata by address, capped",
      SyntheticLayout(dataBlockGroups: 3_000, metadataBlockGroups: 200, seed: 9),
      Rule(
        name: "metadata", select: Selection(type: .metadata, usageBelow: 70), order: .vaddr,
        maxBlockGroups: 120)
    ),
  ]

  @Test("the planner plans what the reference computation plans", arguments: cases.indices)
  func matchesReference(_ number: Int) throws {
    let (name, recipe, rule) = Self.cases[number]
    let layout = recipe.layout()
    let plan = try Self.plan([rule], layout)
    let reference = Self.referenceOperations(rule, on: layout)
    #expect(!reference.isEmpty, "\(name): the case plans something")
    #expect(plan.operations.count == reference.count, "\(name)")
    #expect(plan.operations == reference, "\(name)")
    #expect(plan.rules.first?.operations == reference.count, "\(name)")
  }

  /// The benchmark's policy on 20,000 generated block groups: as many operations as the planner
  /// found before its fast path (5,032), each predicted as the generic balance path does it.
  @Test("a mid-size synthetic plan is unchanged and replays through the generic balance path")
  func midSizePlan() throws {
    let layout = SyntheticLayout(dataBlockGroups: 20_000).layout()
    let rule = Rule(
      name: "compact", select: Selection(type: .data, usageBelow: 60),
      until: [.unallocatedAbove(.percent(25))])
    let plan = try Self.plan([rule], layout)
    #expect(plan.operations.count == 5_032)
    #expect(plan.rules.first?.verdict == .goalReached)
    var space = SimulatedSpace(layout: layout)
    var previousUsed: UInt64 = 0
    for operation in plan.operations {
      let index = try #require(space.index(of: operation.target.vaddr))
      #expect(space.isAlive[index])
      #expect(TargetBlockGroup(space.groups[index]) == operation.target)
      #expect(operation.target.used >= previousUsed || operation.effect.newChunks > 0)
      previousUsed = operation.target.used
      let targets = space.selection(operation.arguments)
      #expect(targets.map(\.index) == [index])
      var batch = RelocationBatch(targets.map(\.index), in: space)
      try space.relocate(index, to: targets[0].profile, in: &batch)
      #expect(space.unallocatedBytes == operation.effect.unallocatedAfter)
      #expect(space.liveCount == operation.effect.blockGroupsAfter)
    }
    #expect(space.unallocatedBytes == plan.outcome.unallocatedAfter)
  }
}
