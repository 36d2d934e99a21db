import Foundation
import Testing

@testable import Steward

/// The problems the loader reports for `yaml`, or `[]` when it loads.
func policyDiagnostics(_ yaml: String, file: String = "t.yaml") -> [PolicyDiagnostic] {
  do {
    _ = try PolicyLoader().load(yaml: yaml, file: file)
    return []
  } catch {
    guard case .invalid(let diagnostics) = error else { return [] }
    return diagnostics
  }
}

@Suite("Policy loader: valid policies")
struct PolicyLoaderTests {
  @Test func loadsEveryKey() throws {
    let yaml = """
      version: 1
      name: full
      filesystems: [/, /srv/data]
      windows:
        - days: [mon, fri]
          start: "22:00"
          end: "06:00"
        - start: "12:00"
          end: "13:00"
      timezone: Europe/Paris
      conditions:
        on-ac-power: true
        min-unallocated: 2GiB
      limits:
        max-runtime: 1h30m
        max-relocated: 100GiB
        max-operations: 40
        pause-between: 5s
      rules:
        - name: a
          when: { unallocated-below: 10% }
          select:
            type: data
            profiles: [raid1, single]
            usage: 10%..60%
            devices: [1, 3]
          order: most-free-first
          max-block-groups: 50
          until: { unallocated-above: 20% }
          on-enospc: skip
        - name: b
          select: { type: metadata, profiles: dup, usage-at-least: 1%, usage-below: 5% }
      """
    let policy = try PolicyLoader().load(yaml: yaml, file: "full.yaml")
    #expect(policy.version == 1)
    #expect(policy.name == "full")
    #expect(policy.filesystems == .paths(["/", "/srv/data"]))
    #expect(
      policy.windows == [
        TimeWindow(
          days: [.monday, .friday], start: TimeOfDay(hour: 22, minute: 0),
          end: TimeOfDay(hour: 6, minute: 0)),
        TimeWindow(
          days: Set(Weekday.allCases), start: TimeOfDay(hour: 12, minute: 0),
          end: TimeOfDay(hour: 13, minute: 0)),
      ])
    #expect(policy.timeZone.identifier == "Europe/Paris")
    #expect(policy.conditions == Conditions(requiresACPower: true, minUnallocated: .bytes(2 << 30)))
    #expect(
      policy.limits
        == Limits(
          maxRuntime: .seconds(5400), maxRelocatedBytes: 100 << 30, maxOperations: 40,
          pauseBetween: .seconds(5)))
    #expect(
      policy.rules == [
        Rule(
          name: "a", when: [.unallocatedBelow(.percent(10))],
          select: Selection(
            type: .data, profiles: [.raid1, .single], usageAtLeast: 10, usageBelow: 60,
            devices: [1, 3]),
          order: .mostFreeFirst, maxBlockGroups: 50, until: [.unallocatedAbove(.percent(20))],
          onNoSpace: .skip),
        Rule(
          name: "b",
          select: Selection(type: .metadata, profiles: [.dup], usageAtLeast: 1, usageBelow: 5)),
      ])
  }

  @Test func defaults() throws {
    let policy = try PolicyLoader().load(
      yaml: "version: 1\nname: d\nrules:\n  - name: r\n    select: { type: system }\n",
      file: "d.yaml")
    #expect(policy.filesystems == .auto)
    #expect(policy.windows.isEmpty)
    #expect(policy.timeZone == .autoupdatingCurrent)
    #expect(policy.conditions == Conditions())
    #expect(policy.limits == Limits())
    #expect(policy.rules == [Rule(name: "r", select: Selection(type: .system))])
  }

  @Test func diagnosticsPrintLikeACompiler() {
    let diagnostics = policyDiagnostics("version: 1\nname: x\nrules: []\n", file: "p.yaml")
    #expect(
      diagnostics.map(\.description) == [
        "p.yaml:3:8: error: 'rules': expected at least one of rules; a policy without rules would never do anything"
      ])
  }

  @Test func everyProblemIsReportedInOnePassInDocumentOrder() {
    let yaml = """
      version: 2
      name: bad name
      timezone: Mars/Olympus
      limits: { max-runtime: 0s, pause-between: 5 }
      rules:
        - name: r
          select: { type: data, usage-bellow: 10% }
        - name: r
          select: { type: metadata, usage-below: 150% }
      """
    let found = policyDiagnostics(yaml).map { "\($0.line):\($0.column)" }
    #expect(found == ["1:10", "2:7", "3:11", "4:24", "4:43", "7:27", "8:11", "9:44"])
  }

  @Test func loadsFromAFileAndReportsUnreadableFiles() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "policy-\(UUID())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("p.yaml").path
    try "version: 1\nname: f\nrules:\n  - {name: r, select: {type: data}}\n".write(
      toFile: path, atomically: true, encoding: .utf8)
    #expect(try PolicyLoader().load(contentsOfFile: path).name == "f")
    let missing = directory.appendingPathComponent("missing.yaml").path
    #expect(throws: PolicyLoadError.unreadable(file: missing, reason: "No such file or directory"))
    {
      try PolicyLoader().load(contentsOfFile: missing)
    }
    #expect(throws: PolicyLoadError.unreadable(file: directory.path, reason: "not a regular file"))
    {
      try PolicyLoader().load(contentsOfFile: directory.path)
    }
    let binary = directory.appendingPathComponent("binary.yaml").path
    try Data([0x61, 0x3A, 0x20, 0xFF, 0xFE]).write(to: URL(fileURLWithPath: binary))
    #expect(throws: PolicyLoadError.unreadable(file: binary, reason: "not UTF-8 text")) {
      try PolicyLoader().load(contentsOfFile: binary)
    }
  }
}
