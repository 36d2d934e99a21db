import Foundation
import Glibc
import Steward
import Testing

@Suite("metrics file")
struct MetricsFileTests {
  static let python = ToolRun.locate("python3")
  /// Whether the python3 first on PATH has prometheus_client (`pip install prometheus_client`).
  static let hasPrometheusClient: Bool = {
    guard let python else { return false }
    return (try? ToolRun.run(python, ["-c", "import prometheus_client"]).status) == 0
  }()

  static let summary = RunSummary(
    ending: .completed, relocated: 3, skipped: 1, failed: 0, left: 2, relocatedBytes: 734_003_200,
    unallocatedBefore: 1_073_741_824, unallocatedAfter: 4_294_967_296)

  /// The summary with the executor's CPU time, which summaries replayed from a journal lack.
  static let measuredSummary = {
    var measured = summary
    measured.executorCPUSeconds = 0.042
    return measured
  }()

  static let root = MetricsSnapshot(
    fsid: "0f3c5e1a-8d2b-4c6e-9a7f-1b2c3d4e5f60", mountpoint: "/", policy: "nightly-compaction",
    end: .paused(.windowClosed, measuredSummary), durationSeconds: 812.25,
    finishedAt: Date(timeIntervalSince1970: 1_732_500_000))

  static let odd = MetricsSnapshot(
    fsid: "5a6b7c8d-0000-4000-8000-000000000001", mountpoint: #"/srv/a "b"\c"#,
    policy: "nightly-compaction", outcome: .noSpace, summary: summary, durationSeconds: 3,
    finishedAt: Date(timeIntervalSince1970: 1_732_500_100.5), exitStatus: .noSpace)

  /// One parsed sample: metric family, sample name, labels and value.
  struct Sample: Decodable, Hashable {
    var family: String
    var type: String
    var name: String
    var labels: [String: String]
    var value: Double
  }

  /// Parses `path` with prometheus_client's own text parser.
  private func parse(_ path: String) throws -> [Sample] {
    let python = try #require(Self.python)
    let script = """
      import json, sys
      from prometheus_client.parser import text_string_to_metric_families
      with open(sys.argv[1]) as f:
          text = f.read()
      print(json.dumps([
          {"family": m.name, "type": m.type, "name": s.name, "labels": s.labels, "value": s.value}
          for m in text_string_to_metric_families(text) for s in m.samples]))
      """
    let run = try ToolRun.run(python, ["-c", script, path])
    try #require(run.status == 0, "\(run.errors)")
    return try JSONDecoder().decode([Sample].self, from: Data(run.output.utf8))
  }

  @Test(
    "prometheus_client parses the file: every metric, label and value",
    .enabled(
      if: hasPrometheusClient || ToolRun.isCI,
      "python3 has no prometheus_client (pip install prometheus_client); under CI=true this fails"))
  func parsesWithPrometheusClient() throws {
    try #require(
      Self.hasPrometheusClient,
      "the python3 on PATH has no prometheus_client: pip install prometheus_client")
    let directory = try ToolRun.temporaryDirectory("metrics")
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("btrfs-steward.prom").path
    try MetricsFile(path: path).write([Self.root, Self.odd])
    let samples = try parse(path)

    #expect(Set(samples.map(\.type)) == ["gauge"])
    let root = samples.filter { $0.labels["mountpoint"] == "/" }
    func value(_ name: String, _ extra: [String: String] = [:]) -> Double? {
      let labels = [
        "fsid": Self.root.fsid, "mountpoint": "/", "policy": "nightly-compaction",
      ].merging(extra) { $1 }
      return root.first { $0.name == name && $0.labels == labels }?.value
    }
    #expect(value("btrfs_steward_last_run_timestamp_seconds") == 1_732_500_000)
    #expect(value("btrfs_steward_last_run_duration_seconds") == 812.25)
    #expect(value("btrfs_steward_last_run_exit_status") == 75)
    #expect(value("btrfs_steward_last_run_relocated_bytes") == 734_003_200)
    for outcome in MetricsSnapshot.Outcome.allCases {
      #expect(
        value("btrfs_steward_last_run_outcome", ["outcome": outcome.rawValue])
          == (outcome == .paused ? 1 : 0))
    }
    #expect(value("btrfs_steward_last_run_operations", ["result": "relocated"]) == 3)
    #expect(value("btrfs_steward_last_run_operations", ["result": "skipped"]) == 1)
    #expect(value("btrfs_steward_last_run_operations", ["result": "failed"]) == 0)
    #expect(value("btrfs_steward_last_run_operations", ["result": "left"]) == 2)
    #expect(value("btrfs_steward_unallocated_bytes", ["when": "before"]) == 1_073_741_824)
    #expect(value("btrfs_steward_unallocated_bytes", ["when": "after"]) == 4_294_967_296)
    #expect(value("btrfs_steward_last_run_executor_cpu_seconds") == 0.042)
    #expect(root.count == 18)

    let odd = samples.filter { $0.labels["fsid"] == Self.odd.fsid }
    #expect(odd.count == 17, "no executor CPU sample for a summary without it")
    #expect(odd.allSatisfy { $0.labels["mountpoint"] == #"/srv/a "b"\c"# })
    #expect(
      odd.first { $0.name == "btrfs_steward_last_run_timestamp_seconds" }?.value == 1_732_500_100.5)
    #expect(
      odd.first { $0.labels["outcome"] == "no-space" }?.value == 1)
  }

  @Test("the file is replaced whole, mode 0644, with no temporary file left behind")
  func atomicReplacement() throws {
    let directory = try ToolRun.temporaryDirectory("metrics")
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("steward.prom").path
    let file = MetricsFile(path: path)
    try file.write([Self.root, Self.odd])
    try file.write([Self.root])
    #expect(try String(contentsOfFile: path, encoding: .utf8) == MetricsFile.text([Self.root]))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["steward.prom"])
    let permissions = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]
    #expect((permissions as? NSNumber)?.intValue == 0o644)
  }

  @Test("each metric has its HELP and TYPE once, before its samples")
  func helpAndType() {
    let lines = MetricsFile.text([Self.root, Self.odd]).split(separator: "\n")
    let helps = lines.filter { $0.hasPrefix("# HELP ") }
    let types = lines.filter { $0.hasPrefix("# TYPE ") }
    #expect(helps.count == 8)
    #expect(types.count == 8)
    #expect(types.allSatisfy { $0.hasSuffix(" gauge") })
    #expect(lines.first?.hasPrefix("# HELP btrfs_steward_last_run_timestamp_seconds ") == true)
  }

  @Test("an unwritable directory is a typed error naming the file")
  func unwritable() {
    let path = "/nonexistent-btrfs-steward/metrics.prom"
    let error = #expect(throws: DurableFileError.self) {
      try MetricsFile(path: path).write([Self.root])
    }
    #expect(error?.errno.rawValue == ENOENT)
    #expect(error?.description.contains("/nonexistent-btrfs-steward/") == true)
  }
}
