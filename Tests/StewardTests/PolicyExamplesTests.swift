import Foundation
import Testing

@testable import Steward

/// The example policies under `policies/` at the repository root.
enum ExamplePolicies {
  static let directory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("policies")

  /// The path of every `.yaml` file in `policies/`, sorted.
  static func paths() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory.path)
      .filter { $0.hasSuffix(".yaml") }.sorted()
      .map { directory.appendingPathComponent($0).path }
  }
}

@Suite("Example policies")
struct PolicyExamplesTests {
  @Test func everyExampleLoads() throws {
    let paths = try ExamplePolicies.paths()
    let names = Set(paths.map { URL(fileURLWithPath: $0).lastPathComponent })
    #expect(
      names.isSuperset(of: [
        "nightly-compaction.yaml", "emergency-nearly-full.yaml", "weekly-gentle.yaml",
        "after-adding-a-disk.yaml", "convert-to-raid1.yaml",
      ]))
    for path in paths {
      do {
        let policy = try PolicyLoader().load(contentsOfFile: path)
        #expect(path.hasSuffix("/\(policy.name).yaml"), "a policy is named like its file")
      } catch {
        Issue.record("\(error)")
      }
    }
  }

  @Test func nightlyCompaction() throws {
    let policy = try PolicyLoader().load(
      contentsOfFile: ExamplePolicies.directory.appendingPathComponent("nightly-compaction.yaml")
        .path)
    #expect(
      policy.windows == [
        TimeWindow(
          days: Weekday.workdays, start: TimeOfDay(hour: 1, minute: 0),
          end: TimeOfDay(hour: 5, minute: 0))
      ])
    #expect(policy.rules.allSatisfy { $0.select.type == .data && $0.order == .leastUsedFirst })
    #expect(policy.rules.last?.until == [.unallocatedAbove(.percent(20))])
    #expect(policy.limits.maxRuntime == .seconds(7200))
  }

  @Test func makeWayForUsersPacesByTheirSessions() throws {
    let policy = try PolicyLoader().load(
      contentsOfFile: ExamplePolicies.directory.appendingPathComponent("make-way-for-users.yaml")
        .path)
    #expect(policy.windows.isEmpty)
    #expect(
      policy.pacing
        == Pacing(
          maxIOPressure: 20, maxMemoryPressure: 10, yield: .pause, maxBusyShare: 50,
          protectedCgroup: "/user.slice", protectedQuietPeriod: .milliseconds(500),
          finishesBeforeProtectedIO: true))
  }

  @Test func emergencySkipsOnNoSpaceAndStopsAtAGoal() throws {
    let policy = try PolicyLoader().load(
      contentsOfFile: ExamplePolicies.directory.appendingPathComponent("emergency-nearly-full.yaml")
        .path)
    #expect(policy.windows.isEmpty)
    // A floor would refuse when the policy is needed, and contradict its triggers on small filesystems.
    #expect(policy.conditions.minUnallocated == nil)
    #expect(policy.contradictions(totalBytes: 2 << 30).isEmpty)
    for rule in policy.rules {
      #expect(rule.onNoSpace == .skip)
      #expect(rule.when == [.unallocatedBelow(.percent(5))])
      #expect(!rule.until.isEmpty)
    }
  }

  @Test func convertToRaid1ConvertsMetadataThenData() throws {
    let policy = try PolicyLoader().load(
      contentsOfFile: ExamplePolicies.directory.appendingPathComponent("convert-to-raid1.yaml").path
    )
    #expect(policy.rules.map(\.select.type) == [.metadata, .data])
    #expect(policy.rules.allSatisfy { $0.convert == .raid1 && $0.spreadWithin == nil })
  }

  @Test func afterAddingADiskSpreadsData() throws {
    let policy = try PolicyLoader().load(
      contentsOfFile: ExamplePolicies.directory.appendingPathComponent("after-adding-a-disk.yaml")
        .path)
    #expect(policy.rules.map(\.spreadWithin) == [.bytes(1 << 30)])
    #expect(policy.rules.first?.select.type == .data)
    #expect(policy.rules.first?.convert == nil)
  }

  @Test func weeklyGentleFollowsBtrfsmaintenance() throws {
    let policy = try PolicyLoader().load(
      contentsOfFile: ExamplePolicies.directory.appendingPathComponent("weekly-gentle.yaml").path)
    #expect(
      policy.rules.map(\.select) == [
        Selection(type: .data, usageBelow: 5),
        Selection(type: .data, usageAtLeast: 5, usageBelow: 10),
        Selection(type: .metadata, usageBelow: 5),
      ])
    #expect(policy.windows.first?.wrapsPastMidnight == true)
  }
}
