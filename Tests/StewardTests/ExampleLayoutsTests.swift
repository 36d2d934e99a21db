import Foundation
import Steward
import Testing

@Suite("Example layouts")
struct ExampleLayoutsTests {
  static let directory = ExamplePolicies.directory.deletingLastPathComponent()
    .appendingPathComponent("examples/layouts")

  @Test(
    "every shipped layout reads back consistent, and every example policy plans against it; they are from before `schema` was written and still load"
  )
  func everyLayoutPlans() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory.path)
      .filter { $0.hasSuffix(".json") }.sorted()
    #expect(names.count >= 3)
    let policies = try ExamplePolicies.paths().map {
      try PolicyLoader().loadWithDigest(contentsOfFile: $0)
    }
    for name in names {
      let file = Self.directory.appendingPathComponent(name)
      let object = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
      #expect(object?["schema"] == nil && object?["schemaVersion"] == nil, "\(name)")
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

@Suite("README examples")
struct ReadmeExampleTests {
  @Test("the README's offline `plan --layout` examples plan at least one operation")
  func offlinePlanShowsAPlan() throws {
    let root = ExamplePolicies.directory.deletingLastPathComponent()
    let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
    let commands = readme.split(separator: "\n").filter {
      $0.hasPrefix("btrfs-steward plan ") && $0.contains("--layout ")
    }
    #expect(!commands.isEmpty)
    for command in commands {
      let words = command.split(separator: " ").map(String.init)
      let policy = try #require(words.firstIndex(of: "--policy").map { words[$0 + 1] })
      let layoutPath = try #require(words.firstIndex(of: "--layout").map { words[$0 + 1] })
      let loaded = try PolicyLoader().loadWithDigest(
        contentsOfFile: root.appendingPathComponent(policy).path)
      let layout = try LayoutFile.read(from: root.appendingPathComponent(layoutPath).path)
      let plan = try Planner(policy: loaded.policy, policyDigest: loaded.digest).plan(
        for: layout, at: Date())
      #expect(!plan.operations.isEmpty, "\(command)")
    }
  }
}
