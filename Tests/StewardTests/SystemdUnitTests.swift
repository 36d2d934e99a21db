import Foundation
import Steward
import Testing

/// The template units in systemd/: systemd accepts them without a warning, their hardening scores
/// as measured, and they agree with the documented exit statuses.
@Suite("systemd units")
struct SystemdUnitTests {
  static let analyze = ToolRun.locate("systemd-analyze")
  static let unitDirectory = ToolRun.repositoryRoot.appendingPathComponent("systemd")

  /// The units as an instance `btrfs-steward@test`, in a fresh directory, with ExecStart's binary
  /// (which `systemd-analyze verify` requires to exist) replaced by /bin/true.
  private func stagedUnits() throws -> URL {
    let directory = try ToolRun.temporaryDirectory("units")
    for name in ["btrfs-steward@.service", "btrfs-steward@.timer"] {
      let text = try String(
        contentsOf: Self.unitDirectory.appendingPathComponent(name), encoding: .utf8)
      try text.replacingOccurrences(of: "/usr/local/bin/btrfs-steward", with: "/bin/true")
        .write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
    return directory
  }

  @Test(
    "systemd-analyze verify accepts both units without a warning",
    .enabled(
      if: analyze != nil || ToolRun.isCI,
      "systemd-analyze is not installed (apt-get install systemd); under CI=true this fails"))
  func verifyIsClean() throws {
    let analyze = try #require(Self.analyze, "systemd-analyze is missing: apt-get install systemd")
    let directory = try stagedUnits()
    defer { try? FileManager.default.removeItem(at: directory) }
    let verify = try ToolRun.run(
      analyze,
      ["verify", "--man=no", "btrfs-steward@test.service", "btrfs-steward@test.timer"],
      in: directory.path)
    #expect(verify.status == 0, "\(verify.errors)")
    #expect(verify.output.isEmpty, "\(verify.output)")
    #expect(verify.errors.isEmpty, "\(verify.errors)")
  }

  @Test(
    "the service's exposure score stays at or under 2.0 (measured: 1.4)",
    .enabled(
      if: analyze != nil || ToolRun.isCI,
      "systemd-analyze is not installed (apt-get install systemd); under CI=true this fails"))
  func exposureScore() throws {
    let analyze = try #require(Self.analyze, "systemd-analyze is missing: apt-get install systemd")
    let directory = try stagedUnits()
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.copyItem(
      at: directory.appendingPathComponent("btrfs-steward@.service"),
      to: directory.appendingPathComponent("btrfs-steward@test.service"))
    let security = try ToolRun.run(
      analyze, ["security", "--offline=yes", "--no-pager", "btrfs-steward@test.service"],
      in: directory.path)
    #expect(security.status == 0, "\(security.errors)")
    let overall = try #require(
      security.output.split(separator: "\n").first { $0.contains("Overall exposure level") })
    let score = try #require(
      overall.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) },
      "\(overall)")
    #expect(score <= 2.0, "\(security.output)")
  }

  @Test("SuccessExitStatus= lists exactly the statuses that are not failures")
  func successStatuses() throws {
    let service = try String(
      contentsOf: Self.unitDirectory.appendingPathComponent("btrfs-steward@.service"),
      encoding: .utf8)
    let line = try #require(
      service.split(separator: "\n").first { $0.hasPrefix("SuccessExitStatus=") })
    let listed = Set(
      line.dropFirst("SuccessExitStatus=".count).split(separator: " ").map(String.init))
    let expected = Steward.ExitStatus.allCases.filter { $0.isScheduledSuccess && $0 != .success }
    #expect(listed == Set(expected.map { String($0.rawValue) }))
    #expect(listed == ["75", "83", "87"])
  }

  @Test("ExecStart runs the binary that make install substitutes, on the instance's policy")
  func execStart() throws {
    let service = try String(
      contentsOf: Self.unitDirectory.appendingPathComponent("btrfs-steward@.service"),
      encoding: .utf8)
    #expect(
      service.contains(
        "\nExecStart=/usr/local/bin/btrfs-steward run --wait --policy /etc/btrfs-steward/%i.yaml\n")
    )
  }
}
