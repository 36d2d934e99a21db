import Foundation
import Steward
import Testing

/// The maintenance jobs' template units in systemd/: systemd accepts them without a warning, they
/// run the right command, and they agree with the documented exit statuses.
@Suite("systemd units of the maintenance jobs")
struct MaintenanceUnitTests {
  static let analyze = ToolRun.locate("systemd-analyze")
  static let jobs = ["scrub", "check", "trim"]

  private func unit(_ name: String) throws -> String {
    try String(
      contentsOf: SystemdUnitTests.unitDirectory.appendingPathComponent(name), encoding: .utf8)
  }

  @Test(
    "systemd-analyze verify accepts every service and timer without a warning",
    .enabled(
      if: analyze != nil || ToolRun.isCI,
      "systemd-analyze is not installed (apt-get install systemd); under CI=true this fails"))
  func verifyIsClean() throws {
    let analyze = try #require(Self.analyze, "systemd-analyze is missing: apt-get install systemd")
    let directory = try ToolRun.temporaryDirectory("maintenance-units")
    defer { try? FileManager.default.removeItem(at: directory) }
    var names: [String] = []
    for job in Self.jobs {
      for suffix in ["service", "timer"] {
        let text = try unit("btrfs-steward-\(job)@.\(suffix)")
          .replacingOccurrences(of: "/usr/local/bin/btrfs-steward", with: "/bin/true")
        try text.write(
          to: directory.appendingPathComponent("btrfs-steward-\(job)@.\(suffix)"),
          atomically: true, encoding: .utf8)
        names.append("btrfs-steward-\(job)@test.\(suffix)")
      }
    }
    let verify = try ToolRun.run(analyze, ["verify", "--man=no"] + names, in: directory.path)
    #expect(verify.status == 0, "\(verify.errors)")
    #expect(verify.output.isEmpty, "\(verify.output)")
    #expect(verify.errors.isEmpty, "\(verify.errors)")
  }

  @Test("each service runs its command on the instance's policy; its timer starts it")
  func execStart() throws {
    for job in Self.jobs {
      #expect(
        try unit("btrfs-steward-\(job)@.service").contains(
          "\nExecStart=/usr/local/bin/btrfs-steward \(job) --policy /etc/btrfs-steward/%i.yaml\n"))
      #expect(try unit("btrfs-steward-\(job)@.timer").contains("\nPersistent=true\n"))
    }
    #expect(try unit("btrfs-steward-check@.timer").contains("\nOnCalendar=hourly\n"))
  }

  @Test("SuccessExitStatus= lists exactly the statuses that are not failures")
  func successStatuses() throws {
    let expected: [String: [Steward.ExitStatus]] = [
      "scrub": [.onBattery, .paused, .outsideWindow],
      "check": [],
      "trim": [.onBattery, .outsideWindow, .trimDeferred],
    ]
    for (job, statuses) in expected {
      let line = try unit("btrfs-steward-\(job)@.service").split(separator: "\n")
        .first { $0.hasPrefix("SuccessExitStatus=") }
      let listed = Set(
        (line?.dropFirst("SuccessExitStatus=".count).split(separator: " ") ?? []).map(String.init))
      #expect(listed == Set(statuses.map { String($0.rawValue) }), "\(job)")
    }
  }

  @Test("the scrub service may write /sys (the speed limit); the others keep it read-only")
  func sysfsWritableOnlyForScrub() throws {
    #expect(!(try unit("btrfs-steward-scrub@.service").contains("\nProtectKernelTunables=yes")))
    #expect(try unit("btrfs-steward-check@.service").contains("\nProtectKernelTunables=yes"))
    #expect(try unit("btrfs-steward-trim@.service").contains("\nProtectKernelTunables=yes"))
  }
}
