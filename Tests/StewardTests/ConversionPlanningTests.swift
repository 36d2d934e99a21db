import Btrfs
import Foundation
import Testing

@testable import Steward

@Suite("Planning conversions to another profile")
struct ConversionPlanningTests {
  private let mib = SimulationFixtures.mib

  private func plan(_ yaml: String, _ layout: Layout) throws -> Plan {
    let policy = try PolicyLoader().load(yaml: yaml, file: "c.yaml")
    return try Planner(policy: policy, policyDigest: "d").plan(for: layout, at: Date())
  }

  private let toRaid1 = """
    version: 1
    name: to-raid1
    rules:
      - name: data-to-raid1
        select: { type: data }
        convert: raid1
    """

  @Test("single data on two devices: every block group once, with convert and soft, costing space")
  func singleToRaid1() throws {
    let layout = SimulationFixtures.layout(
      [.data(600, of: 1024), .data(300, of: 1024), .metadata(10, .dup)], devices: 2,
      unallocated: 3072)
    let plan = try plan(toRaid1, layout)
    #expect(plan.operations.count == 2)
    for operation in plan.operations {
      #expect(operation.convert == .raid1)
      #expect(operation.arguments.data?.convert == .raid1)
      #expect(operation.arguments.data?.soft == true)
      #expect(
        operation.arguments.data?.virtualRange == operation.target
          .vaddr..<(operation.target.vaddr + 1))
    }
    let report = try #require(plan.rules.first)
    #expect(report.verdict == .exhausted)
    #expect(report.explanation.contains("0 of 2 block groups"))
    #expect(report.explanation.contains("(900.00MiB of 900.00MiB used) after"))
    #expect(report.explanation.contains("costs"))
    // 900 MiB in raid1 take at least 1800 MiB of raw space where 2048 MiB of single chunks were,
    // in chunks of a tenth of the filesystem: unallocated space is lost, not won.
    #expect(plan.outcome.unallocatedAfter < plan.outcome.unallocatedBefore)
    let devices = try #require(plan.outcome.devices)
    #expect(devices.count == 2)
    #expect(plan.rendered().contains("data/single→raid1"))
  }

  @Test(
    "an empty chunk forced by the conversion before is gone at the end, and one chunk of the target profile is tolerated"
  )
  func emptyForcedChunks() throws {
    let layout = SimulationFixtures.layout(
      [.data(100, of: 256), .data(100, of: 256), .data(100, of: 256), .metadata(10, .dup)],
      devices: 2, unallocated: 2048, chunkSizes: [.data: 256])
    let plan = try plan(toRaid1, layout)
    #expect(plan.operations.count == 3)
    // Each conversion forces a raid1 chunk, and 300 MiB fit in two: the second operation's stays
    // empty (the first one's has room) and is deleted before the third.
    #expect(plan.operations.map(\.effect.newChunks) == [1, 1, 1])
    #expect(plan.operations[1].effect.blockGroupsAfter == 4)
    #expect(plan.outcome.blockGroupsAfter == 3)
    let last = try #require(plan.operations.last)
    let check = PredictionCheck(
      planner: Planner(
        policy: try PolicyLoader().load(yaml: toRaid1, file: "c.yaml"), policyDigest: "d"))
    let off = last.effect.unallocatedAfter + 2 * 256 * mib
    #expect(!check.compare(last, realUnallocated: off).exceedsTolerance)
    var relocation = last
    relocation.convert = nil
    #expect(check.compare(relocation, realUnallocated: off).exceedsTolerance)
  }

  @Test("a second plan after the conversion converts nothing: soft mode")
  func nothingLeft() throws {
    let layout = SimulationFixtures.layout(
      [.data(600, of: 1024, .raid1), .metadata(10, .raid1)], devices: 2, unallocated: 1024)
    let plan = try plan(toRaid1, layout)
    #expect(plan.operations.isEmpty)
    #expect(plan.rules.first?.explanation.contains("1 of 1 block groups") == true)
  }

  @Test("raid1 on one device: refused up front, nothing planned")
  func raid1OnOneDevice() throws {
    let layout = SimulationFixtures.layout([.data(600)], devices: 1, unallocated: 3072)
    let plan = try plan(toRaid1, layout)
    #expect(plan.operations.isEmpty)
    #expect(plan.rules.first?.verdict == .cannotConvert)
    #expect(
      plan.rules.first?.explanation
        == "cannot convert to raid1: raid1 needs at least 2 devices, the filesystem has 1")
  }

  @Test("without room for the target profile the conversion stops where the space runs out")
  func runsOutOfSpace() throws {
    let layout = SimulationFixtures.layout(
      [.data(900), .data(900), .data(900)], devices: 2, unallocated: 512)
    let plan = try plan(toRaid1, layout)
    #expect(plan.rules.first?.verdict == .noSpace)
    #expect(plan.operations.count < 3)
  }

  @Test("convert in a policy: a profile, no min-gain beside it, not for system")
  func policyKey() throws {
    let policy = try PolicyLoader().load(yaml: toRaid1, file: "c.yaml")
    #expect(policy.rules.first?.convert == .raid1)
    let misspelt = toRaid1.replacingOccurrences(of: "convert: raid1", with: "convert: raid2")
    #expect(throws: PolicyLoadError.self) {
      try PolicyLoader().load(yaml: misspelt, file: "c.yaml")
    }
    let withGain = toRaid1 + "\n    min-gain: 1GiB"
    do {
      _ = try PolicyLoader().load(yaml: withGain, file: "c.yaml")
      Issue.record("min-gain beside convert was accepted")
    } catch {
      #expect(error.description.contains("c.yaml:6:14: error: 'convert': a converting rule plans"))
    }
    let system = toRaid1.replacingOccurrences(of: "type: data", with: "type: system")
    do {
      _ = try PolicyLoader().load(yaml: system, file: "c.yaml")
      Issue.record("converting system was accepted")
    } catch {
      #expect(error.description.contains("system block groups cannot be converted one at a time"))
    }
  }
}
