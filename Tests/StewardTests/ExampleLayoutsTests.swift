import Foundation
import Steward
import Testing

@Suite("Example layouts")
struct ExampleLayoutsTests {
  static let directory = ExamplePolicies.directory.deletingLastPathComponent()
    .appendingPathComponent("examples/layouts")

  @Test("every shipped layout reads back consistent, and every example policy plans against it")
  func everyLayoutPlans() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
      .filter { $0.hasSuffix(".json") }.sorted()
    #expect(names.count >= 3)
    let policies = try ExamplePolicies.paths().map {
      try PolicyLoader().loadWithDigest(contentsOfFile: $0)
    }
    for name in names {
      let layout = try LayoutFile.read(from: Self.directory.appendingPathComponent(name).path)
      #expect(!layout.blockGroups.isEmpty)
      #expect(layout.blockGroups.count == layout.chunks.count)
      for loaded in policies {
        let plan = try Planner(policy: loaded.policy, policyDigest: loaded.digest).plan(
          for: layout, at: layout.capturedAt)
        #expect(plan.outcome.unallocatedBefore == layout.unallocatedBytes)
        #expect(plan.outcome.unallocatedAfter >= plan.outcome.unallocatedBefore)
      }
    }
  }
}
