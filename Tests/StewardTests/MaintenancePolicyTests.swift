import Foundation
import Testing

@testable import Steward

@Suite("Maintenance policy sections")
struct MaintenancePolicyTests {
  private func load(_ text: String) throws(PolicyLoadError) -> Policy {
    try PolicyLoader().load(yaml: text, file: "p.yaml")
  }

  private func diagnostics(_ text: String) -> [String] {
    do {
      _ = try load(text)
      return []
    } catch .invalid(let diagnostics) {
      return diagnostics.map(\.description)
    } catch {
      return ["\(error)"]
    }
  }

  @Test("the monthly scrub example: interval, windows, speed limit, devices, error watch")
  func monthlyScrubExample() throws {
    let policy = try PolicyLoader().load(
      contentsOfFile: ExamplePolicies.directory.appendingPathComponent("monthly-scrub.yaml").path)
    let scrub = try #require(policy.scrub)
    #expect(scrub.interval == .seconds(30 * 86_400))
    #expect(scrub.speedLimit == 100 << 20)
    #expect(scrub.devices == .together)
    #expect(scrub.windows == nil)
    #expect(policy.windows.count == 1)
    #expect(policy.rules.isEmpty)
    #expect(policy.errorWatch?.notify?.contains("sendmail root") == true)
    #expect(policy.conditions.requiresACPower)
  }

  @Test("the hourly error watch example: only a notification command")
  func hourlyErrorWatchExample() throws {
    let policy = try PolicyLoader().load(
      contentsOfFile: ExamplePolicies.directory.appendingPathComponent("hourly-error-watch.yaml")
        .path)
    #expect(policy.scrub == nil && policy.trim == nil && policy.rules.isEmpty)
    let notify = try #require(policy.errorWatch?.notify)
    #expect(notify.contains("$BTRFS_STEWARD_SUMMARY") && notify.contains("sendmail"))
  }

  @Test("every key of the sections, and their defaults")
  func sections() throws {
    let policy = try load(
      """
      version: 1
      name: all
      scrub:
        interval: 14d
        windows: [{ days: sat, start: "02:00", end: "05:00" }]
        speed-limit: 64MiB
        devices: one-at-a-time
        read-only: true
        progress-interval: 5s
        corrected-errors: error
      trim:
        interval: daily
        minimum-extent: 1MiB
      """)
    let scrub = try #require(policy.scrub)
    #expect(scrub.interval == .seconds(14 * 86_400))
    #expect(scrub.windows?.count == 1)
    #expect(scrub.speedLimit == 64 << 20)
    #expect(scrub.devices == .oneAtATime)
    #expect(scrub.readOnly)
    #expect(scrub.progressInterval == .seconds(5))
    #expect(scrub.correctedErrorPriority == .error)
    #expect(policy.trim == TrimPolicy(interval: .seconds(86_400), minimumExtent: 1 << 20))
    #expect(policy.errorWatch == nil)
    let defaults = try load("version: 1\nname: d\nscrub: {}\ntrim: {}\n")
    #expect(defaults.scrub == ScrubPolicy())
    #expect(defaults.trim == TrimPolicy())
  }

  @Test("errors name the file, line and column and say what was expected")
  func errors() {
    #expect(
      diagnostics("version: 1\nname: x\nscrub:\n  interval: sometimes\n") == [
        "p.yaml:4:13: error: 'interval': expected daily, weekly, monthly or a duration like 12h or 14d, found 'sometimes'"
      ])
    #expect(
      diagnostics("version: 1\nname: x\nscrub:\n  devices: all\n").first?.hasPrefix(
        "p.yaml:4:12: error: 'devices':") == true)
    #expect(
      diagnostics("version: 1\nname: x\nscrub:\n  speed-limt: 1MiB\n") == [
        "p.yaml:4:3: error: unknown key 'speed-limt' in 'scrub'; did you mean 'speed-limit'?"
      ])
    #expect(
      diagnostics("version: 1\nname: x\nerror-watch:\n  notify: ''\n") == [
        "p.yaml:4:11: error: 'notify': the command is empty; leave 'notify' out to only log and count"
      ])
    #expect(
      diagnostics("version: 1\nname: x\n") == [
        "p.yaml:1:1: error: missing required key 'rules' in the policy (or a 'scrub', 'error-watch' or 'trim' section); a policy without them would never do anything"
      ])
  }
}
