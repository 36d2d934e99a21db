import Btrfs
import Foundation
import Testing

@testable import Steward

@Suite("Planner")
struct PlannerTests {
  typealias F = SimulationFixtures
  let mib = SimulationFixtures.mib
  let instant = Date(timeIntervalSince1970: 1_735_689_600)

  private func plan(
    _ layout: Layout, _ rules: [Rule], limits: Limits = Limits(), windows: [TimeWindow] = [],
    at instant: Date? = nil
  ) throws -> Plan {
    let policy = Policy(
      name: "test", windows: windows, timeZone: TimeZone(identifier: "UTC")!, limits: limits,
      rules: rules)
    return try Planner(policy: policy, policyDigest: PolicyDigest.of(Array("test".utf8)))
      .plan(for: layout, at: instant ?? self.instant)
  }

  /// The indices in `layout.blockGroups` of the planned targets, in plan order.
  private func targets(_ plan: Plan, in layout: Layout) -> [Int] {
    plan.operations.map { operation in
      layout.blockGroups.firstIndex { $0.vaddr == operation.target.vaddr }!
    }
  }

  private func rule(
    _ select: Selection, order: Order = .leastUsedFirst, when: [Trigger] = [],
    max: Int? = nil, until: [Goal] = []
  ) -> Rule {
    Rule(name: "r", when: when, select: select, order: order, maxBlockGroups: max, until: until)
  }

  @Test("least used first, ties by address")
  func leastUsedFirst() throws {
    let layout = F.layout(
      [.data(300), .data(100), .data(50), .data(100), .data(10)], unallocated: 0)
    let plan = try plan(layout, [rule(Selection(type: .data, usageBelow: 20))])
    #expect(targets(plan, in: layout) == [4, 2, 1, 3])
    #expect(
      plan.operations.map(\.arguments) == [4, 2, 1, 3].map { .relocating(layout.blockGroups[$0]) })
    #expect(plan.rules.first?.verdict == .exhausted)
  }

  @Test("a queued block group that fills up moves back, or drops out of the selection")
  func usageRisesWhileQueued() throws {
    let layout = F.layout([.data(10), .data(1000), .data(20), .data(48)], unallocated: 0)
    let plan = try plan(layout, [rule(Selection(type: .data, usageBelow: 5))])
    #expect(targets(plan, in: layout) == [0, 2])
    #expect(plan.operations[1].target.used == 20 * mib)
    let report = plan.rules[0]
    #expect(report.verdict == .exhausted)
    #expect(
      report.explanation.hasPrefix(
        "2 block groups planned, every other matching one passed over (3 matched; 1 no longer matched once the plan's relocations filled it: the block group at "
      ), "\(report.explanation)")
    #expect(report.explanation.contains(", 4.7% → "), "its usage before and after the plan")
  }

  @Test("most free first prefers large empty block groups")
  func mostFreeFirst() throws {
    let layout = F.layout(
      [.data(50, of: 4096), .data(100, of: 256), .data(300), .data(400)], unallocated: 0)
    let select = Selection(type: .data, usageAtLeast: 5, usageBelow: 50)
    let plan = try plan(layout, [rule(select, order: .mostFreeFirst)])
    #expect(targets(plan, in: layout) == [2, 3, 1])
  }

  @Test("address order")
  func vaddrOrder() throws {
    let layout = F.layout(
      [.data(50, of: 4096), .data(500), .data(100), .data(200)], unallocated: 0)
    let select = Selection(type: .data, usageAtLeast: 5, usageBelow: 60)
    let plan = try plan(layout, [rule(select, order: .vaddr)])
    #expect(targets(plan, in: layout) == [1, 2, 3])
  }

  @Test("usage bounds: at least inclusive, below exclusive")
  func usageBounds() throws {
    let layout = F.layout(
      [.data(1024), .data(102), .data(256), .data(512), .data(600)], unallocated: 0)
    let plan = try plan(layout, [rule(Selection(type: .data, usageAtLeast: 25, usageBelow: 50))])
    #expect(targets(plan, in: layout) == [2])
  }

  @Test("an until goal stops the rule as soon as it is met, never overshooting")
  func goalNotOvershot() throws {
    let layout = F.layout([.data(10), .data(20), .data(30), .data(40), .data(50)], unallocated: 0)
    let goal = Goal.unallocatedAbove(.bytes(2048 * mib))
    let plan = try plan(layout, [rule(Selection(type: .data), until: [goal])])
    #expect(plan.operations.count == 2)
    #expect(plan.outcome.unallocatedAfter == 2048 * mib)
    #expect(plan.rules[0].verdict == .goalReached)
    #expect(
      plan.rules[0].explanation.hasPrefix(
        "goal reached after 2 block groups: unallocated 2.00GiB is at least 2.00GiB"))
  }

  @Test("a goal already met plans nothing")
  func goalAlreadyMet() throws {
    let layout = F.layout([.data(10), .data(20)], unallocated: 4096)
    let plan = try plan(
      layout, [rule(Selection(type: .data), until: [.unallocatedAbove(.percent(50))])])
    #expect(plan.operations.isEmpty)
    #expect(plan.rules[0].verdict == .goalAlreadyMet)
  }

  @Test("max-block-groups ends the rule, the next rule goes on")
  func maxBlockGroups() throws {
    let layout = F.layout(
      [.data(10), .data(20), .data(30), .data(40), .metadata(1), .metadata(100)], unallocated: 0)
    let plan = try plan(
      layout,
      [rule(Selection(type: .data), max: 2), rule(Selection(type: .metadata, usageBelow: 1))])
    #expect(targets(plan, in: layout) == [0, 1, 4])
    #expect(plan.rules[0].verdict == .maxBlockGroups)
    #expect(plan.rules[0].explanation == "max-block-groups 2 reached")
  }

  @Test("max-operations ends the whole plan")
  func maxOperations() throws {
    let layout = F.layout(
      [.data(10), .data(20), .data(30), .metadata(1), .metadata(100)], unallocated: 0)
    let plan = try plan(
      layout, [rule(Selection(type: .data)), rule(Selection(type: .metadata))],
      limits: Limits(maxOperations: 2))
    #expect(plan.operations.count == 2)
    #expect(plan.rules.map(\.verdict) == [.maxOperations, .notEvaluated])
  }

  @Test("max-relocated is never exceeded")
  func maxRelocated() throws {
    let layout = F.layout(
      [.data(50, of: 4096), .data(100), .data(200), .data(300)], unallocated: 0)
    let plan = try plan(
      layout, [rule(Selection(type: .data, usageAtLeast: 5, usageBelow: 50))],
      limits: Limits(maxRelocatedBytes: 350 * mib))
    #expect(targets(plan, in: layout) == [1, 2])
    #expect(plan.outcome.relocatedBytes == 300 * mib)
    #expect(plan.rules[0].verdict == .maxRelocated)
    #expect(plan.rules[0].explanation.hasPrefix("limit max-relocated 350.00MiB reached"))
  }

  @Test("a when trigger fires below the threshold and not above it")
  func whenTrigger() throws {
    let select = Selection(type: .data, usageBelow: 50)
    let tight = F.layout([.data(1000), .data(100)], unallocated: 100)
    let fired = try plan(tight, [rule(select, when: [.unallocatedBelow(.percent(10))])])
    #expect(fired.rules[0].fired)
    #expect(fired.operations.count == 1)
    let roomy = F.layout([.data(1000), .data(100)], unallocated: 8192)
    let idle = try plan(roomy, [rule(select, when: [.unallocatedBelow(.percent(10))])])
    #expect(!idle.rules[0].fired)
    #expect(idle.operations.isEmpty)
    #expect(
      idle.rules[0].explanation == "did not fire: unallocated 8.00GiB is not below 10% (1.00GiB)")
  }

  @Test("metadata is left alone unless a rule selects it; mixed counts as data")
  func typesSelected() throws {
    let layout = F.layout(
      [
        .data(1000), .metadata(1), .data(10), .metadata(200),
        SimulationFixtures.Group(type: .mixed, profile: .single, length: 1024, used: 5),
        SimulationFixtures.Group(type: .mixed, profile: .single, length: 1024, used: 600),
      ],
      unallocated: 0)
    let data = try plan(layout, [rule(Selection(type: .data, usageBelow: 50))])
    #expect(data.operations.allSatisfy { $0.target.type != .metadata })
    #expect(data.operations.map(\.target.type) == [.mixed, .data])
    let metadata = try plan(layout, [rule(Selection(type: .metadata, usageBelow: 10))])
    #expect(targets(metadata, in: layout) == [1])
  }

  @Test("a lone nearly full block group is not planned: relocating it frees nothing")
  func loneFullGroup() throws {
    let layout = F.layout([.data(1000), .metadata(100)], unallocated: 4096)
    let plan = try plan(layout, [rule(Selection(type: .data))])
    #expect(plan.operations.isEmpty)
    #expect(plan.rules[0].skippedBlockGroups == 1)
    #expect(plan.rules[0].explanation.contains("would regain no unallocated space"))
  }

  @Test("a block group that needs a smaller new chunk is still worth relocating")
  func smallerChunk() throws {
    let layout = F.layout([.data(100), .data(100)], unallocated: 4096, chunkSizes: [.data: 256])
    let plan = try plan(layout, [rule(Selection(type: .data))])
    #expect(plan.operations.map(\.effect.newChunks) == [0, 1])
    #expect(plan.outcome.blockGroupsAfter == 1)
    #expect(plan.outcome.unallocatedAfter == (4096 + 2048 - 256) * mib)
  }

  @Test("device selection uses chunk stripes")
  func devices() throws {
    let layout = F.layout(
      [.data(1000), .data(10), .data(20), .data(30)], devices: 2, unallocated: 0)
    let plan = try plan(layout, [rule(Selection(type: .data, usageBelow: 50, devices: [2]))])
    #expect(targets(plan, in: layout) == [1, 3])
  }

  @Test("ENOSPC stops the rule, or is skipped when the rule says so")
  func noSpace() throws {
    let layout = F.layout([.data(1000), .data(700), .data(10, of: 64)], unallocated: 0)
    let stop = try plan(layout, [rule(Selection(type: .data, usageBelow: 70), order: .vaddr)])
    #expect(stop.rules[0].verdict == .noSpace)
    var skipping = rule(Selection(type: .data, usageBelow: 70), order: .vaddr)
    skipping.onNoSpace = .skip
    let skip = try plan(layout, [skipping])
    #expect(targets(skip, in: layout) == [2])
    #expect(skip.rules[0].skippedBlockGroups == 1)
  }

  @Test("no block group matched")
  func noMatch() throws {
    let layout = F.layout([.data(1000)], unallocated: 0)
    let plan = try plan(layout, [rule(Selection(type: .data, usageBelow: 5))])
    #expect(plan.rules[0].verdict == .noMatch)
    #expect(plan.rules[0].explanation == "no block group matched")
  }

  @Test(
    "windows are evaluated at the given instant",
    arguments: [
      ("2025-01-06T02:00:00Z", false), ("2025-01-06T06:00:00Z", true),
      ("2025-01-05T02:00:00Z", true),
    ])
  func windows(_ instant: String, outside: Bool) throws {
    let window = TimeWindow(
      days: [.monday], start: TimeOfDay(hour: 1, minute: 0), end: TimeOfDay(hour: 5, minute: 0))
    let layout = F.layout([.data(1000), .data(10)], unallocated: 0)
    let date = try Date(instant, strategy: .iso8601)
    let plan = try plan(
      layout, [rule(Selection(type: .data, usageBelow: 50))], windows: [window], at: date)
    #expect(plan.outsideWindow == outside)
    #expect(plan.operations.count == 1)
  }

  @Test("the outcome adds up and each operation's effect chains")
  func outcome() throws {
    let layout = F.layout([.data(900), .data(100), .data(200), .data(50)], unallocated: 1024)
    let plan = try plan(layout, [rule(Selection(type: .data, usageBelow: 50))])
    #expect(plan.outcome.unallocatedBefore == 1024 * mib)
    #expect(plan.outcome.unallocatedAfter == plan.operations.last?.effect.unallocatedAfter)
    #expect(plan.outcome.blockGroupsAfter == layout.blockGroups.count - 2)
    #expect(
      plan.outcome.relocatedBytes == plan.operations.reduce(0) { $0 + $1.effect.relocatedBytes })
  }

  @Test("the plan renders as a table and as JSON that reads back")
  func rendering() throws {
    let layout = F.layout([.data(900), .data(100), .data(50)], unallocated: 8192)
    let plan = try plan(
      layout,
      [
        rule(Selection(type: .data, usageBelow: 50)),
        rule(Selection(type: .metadata), when: [.unallocatedBelow(.percent(1))]),
      ],
      limits: Limits(maxRuntime: .seconds(7200)))
    let text = plan.rendered()
    #expect(
      text.contains(
        "Relocate 50.00MiB, unallocated 8.00GiB → 9.00GiB (+1.00GiB), block groups 3 → 2"))
    #expect(text.contains("  r: did not fire: unallocated 9.00GiB is not below 1% (112.64MiB)"))
    #expect(text.contains("max-runtime 2h is not predicted"))
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    #expect(try decoder.decode(Plan.self, from: plan.json()) == plan)
  }

  @Test("the policy digest is the 64-bit FNV-1a of the file")
  func digest() {
    #expect(PolicyDigest.of(Array("abc".utf8)) == "fnv1a64:e71fa2190541574b")
    #expect(PolicyDigest.of([UInt8]()) == "fnv1a64:cbf29ce484222325")
    #expect(
      PolicyDigest.of(Array(repeating: UInt8(ascii: "a"), count: 1000))
        == "fnv1a64:3c835852fbac676d")
    #expect(PolicyDigest.of(Array("abc\n".utf8)) != PolicyDigest.of(Array("abc".utf8)))
  }
}
