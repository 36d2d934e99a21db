import Btrfs
import Foundation
import Testing

@testable import Steward

/// Prints how long planning takes on a large synthetic layout; never asserts a time. Meaningful in a
/// release build: `swift test -c release --filter PlanBenchmarkTests`.
@Suite("Planning benchmark")
struct PlanBenchmarkTests {
  @Test("plan against a million block groups")
  func millionBlockGroups() throws {
    let layout = SyntheticLayout(dataBlockGroups: 1_000_000, dataUsage: .uniform(0...100)).layout()
    let policy = Policy(
      name: "benchmark", limits: Limits(maxOperations: 20_000),
      rules: [
        Rule(name: "reclaim-nearly-empty", select: Selection(type: .data, usageBelow: 10)),
        Rule(
          name: "compact", select: Selection(type: .data, usageBelow: 60), maxBlockGroups: 5_000,
          until: [.unallocatedAbove(.percent(50))]),
        Rule(name: "metadata", select: Selection(type: .metadata, usageBelow: 30)),
      ])
    let planner = Planner(policy: policy, policyDigest: PolicyDigest.of(Array("benchmark".utf8)))
    let clock = ContinuousClock()
    var plan: Plan?
    let elapsed = try clock.measure { plan = try planner.plan(for: layout, at: Date()) }
    let result = try #require(plan)
    print(
      "planning \(layout.blockGroups.count) block groups: \(elapsed), "
        + "\(result.operations.count) operations, "
        + result.rules.map { "\($0.rule): \($0.explanation)" }.joined(separator: "; "))
    #expect(result.operations.count > 0)
  }
}
