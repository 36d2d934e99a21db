import Btrfs
import Foundation
import Testing

@testable import Steward

@Suite("The filter language: stripes, devices, device ranges and per-rule limits")
struct FilterLanguageTests {
  private let mib = SimulationFixtures.mib

  private func policy(select: String, _ rest: String = "") throws -> Policy {
    try PolicyLoader().load(
      yaml: "version: 1\nname: f\nrules:\n  - name: r\n    select: \(select)\n" + rest,
      file: "f.yaml")
  }

  private func plan(_ policy: Policy, _ layout: Layout) throws -> Plan {
    try Planner(policy: policy, policyDigest: "d").plan(for: layout, at: Date())
  }

  @Test("stripes, device-range, a rule's max-relocated and spread-until-each-device-has load")
  func keysLoad() throws {
    let range = try policy(select: "{ type: data, stripes: 2..3 }").rules[0].select
    #expect(range.stripes == 2...3)
    #expect(try policy(select: "{ type: data, stripes: 4 }").rules[0].select.stripes == 4...4)
    #expect(try policy(select: "{ type: data, stripes: ..3 }").rules[0].select.stripes == 1...3)
    #expect(
      try policy(select: "{ type: data, stripes: \"4..\" }").rules[0].select.stripes
        == 4...Int.max)
    let select = try policy(
      select: "{ type: data, device-range: { device: 2, range: 1GiB..2GiB } }"
    ).rules[0].select
    #expect(select.deviceRange == DeviceRange(devid: 2, start: 1 << 30, end: 2 << 30))
    #expect(
      try policy(select: "{ type: data, device-range: { device: 3, range: ..512MiB } }").rules[0]
        .select.deviceRange == DeviceRange(devid: 3, start: 0, end: 512 * mib))
    let rule = try policy(
      select: "{ type: data }", "    max-relocated: 2GiB\n    spread-until-each-device-has: 1GiB\n"
    ).rules[0]
    #expect(rule.maxRelocatedBytes == 2 << 30)
    #expect(rule.spreadUntilEachDeviceHas == 1 << 30)
    // A profile whose stripe count varies (raid0) may have any count.
    #expect(
      try policy(select: "{ type: data, profiles: [raid0, raid1], stripes: 3.. }").rules[0].select
        .stripes == 3...Int.max)
  }

  @Test("devices: exactly the block groups with a stripe on one of the devices are planned")
  func devicesSelect() throws {
    // Single-profile block groups on three devices in turn, each with room elsewhere.
    let layout = SimulationFixtures.layout(
      (0..<9).map { _ in .data(100, of: 1024) }, devices: 3, unallocated: 2048)
    let policy = try policy(select: "{ type: data, devices: [2] }", "    convert: dup\n")
    let planned = Set(try plan(policy, layout).operations.map(\.target.vaddr))
    let onDevice2 = Set(layout.chunks.filter { $0.devids.contains(2) }.map(\.vaddr))
    #expect(onDevice2.count == 3)
    #expect(planned == onDevice2)
  }

  @Test("device-range: the block groups whose stripe on the device overlaps the range")
  func deviceRangeSelects() throws {
    let layout = SimulationFixtures.layout(
      (0..<6).map { _ in .data(100, of: 512) }, devices: 1, unallocated: 4096)
    // Stripes at 0, 512, 1024, … MiB: 1GiB..2GiB overlaps the third and fourth only, and a range
    // ending inside the fifth takes it too.
    let policy = try policy(
      select: "{ type: data, device-range: { device: 1, range: 1GiB..2049MiB } }",
      "    convert: dup\n")
    let planned = try plan(policy, layout).operations.map(\.target.vaddr)
    let expected = layout.chunks.filter {
      let offset = $0.stripes[0].offset
      return offset < 2049 * mib && offset + $0.stripeLength > 1 << 30
    }.map(\.vaddr)
    #expect(expected.count == 3)
    #expect(planned == expected)
  }

  @Test("stripes: raid0 chunks striped over fewer devices than there are now")
  func stripesSelect() throws {
    var layout = SimulationFixtures.layout(
      (0..<6).map { _ in .data(300, of: 768, .raid0) }, devices: 3, unallocated: 1024)
    // The first four were written before the third device was added: two stripes each.
    for index in 0..<4 { layout.chunks[index].stripes.removeLast() }
    let narrow = Set(layout.chunks.prefix(4).map(\.vaddr))
    #expect(
      Selection(type: .data, stripes: 1...2).matches(layout.blockGroups[0]) { layout.chunks[0] })
    #expect(
      !Selection(type: .data, stripes: 1...2).matches(layout.blockGroups[5]) { layout.chunks[5] })
    // A conversion plans every block group it selects: the plan shows the selection.
    let policy = try policy(select: "{ type: data, stripes: ..2 }", "    convert: raid1\n")
    let planned = Set(try plan(policy, layout).operations.map(\.target.vaddr))
    #expect(planned == narrow)
    let wide = try self.policy(select: "{ type: data, stripes: 4.. }")
    #expect(try plan(wide, layout).rules[0].verdict == .noMatch)
  }

  @Test("a rule's max-relocated ends the rule, not the plan, before the group that would cross it")
  func ruleMaxRelocated() throws {
    let layout = SimulationFixtures.layout(
      [.data(100), .data(200), .data(300), .data(900), .data(900)], devices: 1, unallocated: 2048)
    let policy = try PolicyLoader().load(
      yaml: """
        version: 1
        name: f
        rules:
          - name: light
            select: { type: data, usage-below: 50% }
            max-relocated: 350MiB
          - name: next
            select: { type: data, usage-below: 50% }
        """, file: "f.yaml")
    let plan = try plan(policy, layout)
    let first = plan.operations.filter { $0.rule == "light" }
    // The 100 MiB block group moves into the 200 MiB one, which then holds 300 MiB: 400 MiB in all
    // would cross the limit.
    #expect(first.map(\.target.used) == [100 * mib])
    #expect(plan.rules[0].relocatedBytes <= 350 * mib)
    #expect(plan.rules[0].verdict == .ruleMaxRelocated)
    #expect(plan.rules[0].explanation.contains("max-relocated 350.00MiB"))
    // The next rule still plans: the limit was the rule's own.
    #expect(plan.rules[1].verdict != .notEvaluated)
    #expect(plan.operations.contains { $0.rule == "next" })
  }

  @Test("a replan counts what each rule relocated earlier in the run against the rule's limits")
  func replanKeepsRuleBudgets() throws {
    let layout = SimulationFixtures.layout(
      (0..<6).map { _ in .data(100, of: 256) }, devices: 2, unallocated: 2048,
      chunkSizes: [.data: 256])
    let policy = try policy(
      select: "{ type: data }",
      "    convert: dup\n    max-block-groups: 4\n    max-relocated: 350MiB\n")
    let planner = Planner(policy: policy, policyDigest: "d")
    let fresh = try planner.plan(for: layout, at: Date())
    #expect(fresh.operations.count == 3)  // 400 MiB would cross 350 MiB
    #expect(fresh.rules[0].verdict == .ruleMaxRelocated)
    // Two of them relocated (one skipped), as the executor's results say.
    let results: [Int: OperationResult] = [
      1: .relocated(relocatedBytes: 100 * mib, unallocatedAfter: 0),
      2: .skipped(reason: "gone"),
      3: .relocated(relocatedBytes: 100 * mib, unallocatedAfter: 0),
    ]
    let spent = RuleSpending.of(fresh.operations, results: results)
    #expect(spent == ["r": RuleSpending(blockGroups: 2, relocatedBytes: 200 * mib)])
    let rest = try planner.plan(for: layout, at: Date(), spent: spent)
    #expect(rest.operations.count == 1)
    let byCount = try self.policy(
      select: "{ type: data }", "    convert: dup\n    max-block-groups: 3\n")
    let restByCount = try Planner(policy: byCount, policyDigest: "d").plan(
      for: layout, at: Date(), spent: spent)
    #expect(restByCount.operations.count == 1)
    #expect(restByCount.rules[0].verdict == .maxBlockGroups)
  }

  @Test("a device the filesystem does not have is refused with where it is written")
  func unknownDevice() throws {
    let policy = try policy(
      select: "{ type: data, devices: [1, 7], device-range: { device: 9, range: 1GiB.. } }")
    let unknown = policy.unknownDevices(devids: [1, 2])
    #expect(unknown.map(\.devid) == [7, 9])
    #expect(
      unknown[0].description.hasPrefix(
        "f.yaml:5:40: error: rule 'r' selects device 7, which this filesystem does not have"
          + " (its devices: 1, 2)"))
    #expect(unknown[1].description.hasPrefix("f.yaml:5:68: error:"))
    let layout = SimulationFixtures.layout([.data(100)], devices: 2, unallocated: 1024)
    #expect(try plan(policy, layout).notes.contains { $0.contains("a run would refuse to start") })
    #expect(RunRefusal.unknownDevices(unknown).exitStatus == .invalidInput)
  }
}
