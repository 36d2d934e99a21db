import Foundation
import Testing

@Suite(
  "btrfs-steward run --dry-run on a real filesystem", .serialized,
  .enabled(if: IntegrationEnvironment.shouldRun))
struct DryRunTests {
  @Test(
    "run --dry-run plans each filesystem once, however many of its paths are named, as plan does")
  func dryRunPlansEachFilesystemOnce() throws {
    try withScratchFilesystem { scratch in
      try scratch.fragment(fileCount: 40, fileSize: 8 << 20, seed: 21)
      let policy = scratch.directory.appendingPathComponent("policy.yaml").path
      try """
      version: 1
      name: dry
      rules:
        - name: compact
          select: { type: data, usage-below: 90% }
      """.write(toFile: policy, atomically: true, encoding: .utf8)
      let subdirectory = scratch.mountpoint + "/inside"
      try FileManager.default.createDirectory(
        atPath: subdirectory, withIntermediateDirectories: true)
      let dry = try steward(
        ["run", "--dry-run", "--json", "--policy", policy, scratch.mountpoint, subdirectory])
      #expect(dry.status == 0, "\(dry.standardError)")
      let plans = dry.standardOutput.components(separatedBy: "\"schema\" : \"plan\"").count - 1
      #expect(plans == 1)
      let plan = try steward(["plan", "--json", "--policy", policy, scratch.mountpoint])
      #expect(plan.status == 0, "\(plan.standardError)")
      // The same layout, read the same way: the same operations and predicted outcome.
      let dryObject = try JSONSerialization.jsonObject(with: Data(dry.standardOutput.utf8))
      let planObject = try JSONSerialization.jsonObject(with: Data(plan.standardOutput.utf8))
      let dryPlan = try #require(dryObject as? [String: Any])
      let plainPlan = try #require(planObject as? [String: Any])
      #expect(
        (dryPlan["operations"] as? [Any])?.count == (plainPlan["operations"] as? [Any])?.count)
      #expect(
        (dryPlan["outcome"] as? NSDictionary) == (plainPlan["outcome"] as? NSDictionary))
    }
  }
}
