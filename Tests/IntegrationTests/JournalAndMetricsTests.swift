import Btrfs
import Foundation
import Steward
import Testing

/// Under systemd: every message reaches the journal with its priority and fields, and every
/// attempt, a refused one too, leaves its figures in the metrics file.
@Suite(
  "journal and metrics of real runs", .serialized,
  .enabled(if: IntegrationEnvironment.shouldRun))
struct JournalAndMetricsTests {
  static let promtool = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  }

  @Test("policy errors reach the journal at error priority, nothing on standard error")
  func policyErrors() throws {
    try withBadPolicy { policy in
      let run = try stewardUnderJournal(["validate", policy])
      #expect(run.status == Steward.ExitStatus.invalidInput.rawValue)
      #expect(run.standardError.isEmpty, "\(run.standardError)")
      #expect(run.entries.count == 2)
      for entry in run.entries {
        #expect(field(entry, "PRIORITY") == "3")
        #expect(field(entry, "MESSAGE")?.hasPrefix("\(policy):") == true)
      }
      #expect(
        run.entries.contains { field($0, "MESSAGE")?.contains("did you mean 'rules'") == true })
    }
  }

  @Test("without journald's socket, records go to the journal stream with <N> priorities")
  func streamFallback() throws {
    try withBadPolicy { policy in
      let run = try stewardUnderJournal(["validate", policy], journalListens: false)
      #expect(run.status == Steward.ExitStatus.invalidInput.rawValue)
      #expect(run.entries.isEmpty)
      let lines = run.standardError.split(separator: "\n")
      #expect(lines.count == 2)
      #expect(lines.allSatisfy { $0.hasPrefix("<3>\(policy):") }, "\(run.standardError)")
    }
  }

  @Test(
    "a refused run is an error in the journal with FSID, MOUNTPOINT and POLICY, and in the metrics; a run's operations carry RULE, OPERATION, VADDR and RESULT"
  )
  func refusedThenRun() throws {
    try withScratchFilesystem(size: "2G") { scratch in
      try scratch.fragment(fileCount: 30, fileSize: 16 << 20, seed: 21)
      let run = try StewardRun(scratch, policy: compactionPolicy)
      let fsid = try FileSystem(path: scratch.mountpoint).info().fsid
      let metrics = scratch.directory.appendingPathComponent("steward.prom").path
      let arguments = run.runArguments + ["--metrics-file", metrics]
      try FileManager.default.createDirectory(
        atPath: run.runtimeDirectory, withIntermediateDirectories: true)

      let lock = run.runtimeDirectory + "/" + fsid + ".lock"
      let refused = try withExtendedLifetime(try FilesystemLock(path: lock)) {
        try stewardUnderJournal(arguments)
      }
      #expect(refused.status == Steward.ExitStatus.locked.rawValue)
      #expect(refused.standardError.isEmpty, "\(refused.standardError)")
      let refusal = try #require(
        refused.entries.first {
          field($0, "MESSAGE")?.contains("another btrfs-steward run") == true
        }, "\(refused.entries)")
      #expect(field(refusal, "PRIORITY") == "3")
      #expect(field(refusal, "FSID") == fsid)
      #expect(field(refusal, "MOUNTPOINT") == scratch.mountpoint)
      #expect(field(refusal, "POLICY") == "integration-compaction")
      let afterRefusal = try String(contentsOfFile: metrics, encoding: .utf8)
      #expect(afterRefusal.contains("outcome=\"refused-locked\"} 1\n"), "\(afterRefusal)")
      #expect(afterRefusal.contains("btrfs_steward_last_attempt_exit_status{"))
      #expect(afterRefusal.contains("btrfs_steward_device_unallocated_bytes{"))
      #expect(!afterRefusal.contains("\nbtrfs_steward_last_run_"), "no run figures without a run")
      try checkWithPromtool(metrics)

      let ran = try stewardUnderJournal(arguments)
      #expect(ran.status == 0, "\(ran.entries.map { field($0, "MESSAGE") ?? "" })")
      let finished = ran.entries.filter { field($0, "RESULT") != nil }
      #expect(!finished.isEmpty)
      for entry in finished {
        #expect(field(entry, "RULE") == "compact")
        #expect(field(entry, "OPERATION").flatMap { Int($0) } != nil)
        #expect(field(entry, "VADDR").flatMap { UInt64($0) } != nil)
        #expect(field(entry, "FSID") == fsid)
        let result = field(entry, "RESULT")
        #expect(["relocated", "skipped"].contains(result), "\(entry)")
        #expect(field(entry, "PRIORITY") == (result == "relocated" ? "5" : "6"))
      }
      let afterRun = try String(contentsOfFile: metrics, encoding: .utf8)
      #expect(afterRun.contains("outcome=\"completed\"} 1\n"), "\(afterRun)")
      #expect(afterRun.contains("btrfs_steward_last_run_relocated_bytes{"))
      try checkWithPromtool(metrics)
    }
  }

  private func checkWithPromtool(_ path: String) throws {
    let promtool = try #require(Self.promtool, "promtool is missing: apt-get install prometheus")
    let check = try execute(["/bin/sh", "-c", "\"$0\" check metrics < \"$1\"", promtool, path])
    #expect(check.status == 0, "\(check.standardOutput)\n\(check.standardError)")
  }

  /// Calls `body` with the path of a policy file, in a directory of its own, whose only mistake is
  /// an unknown key (`rulez`); removes the directory afterwards.
  private func withBadPolicy(_ body: (String) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("steward-policy-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let policy = directory.appendingPathComponent("bad.yaml").path
    try "version: 1\nname: bad\nrulez: []\n".write(
      toFile: policy, atomically: true, encoding: .utf8)
    try body(policy)
  }
}
