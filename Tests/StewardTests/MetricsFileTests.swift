import Foundation
import Glibc
import Steward
import Testing

@Suite("metrics file")
struct MetricsFileTests {
  /// Debian's python3, which has python3-prometheus-client (a python3 first on PATH may not).
  static let python =
    FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
    ? "/usr/bin/python3" : ToolRun.locate("python3")
  static let promtool = ToolRun.locate("promtool")
  /// Whether that python3 has prometheus_client (`apt-get install python3-prometheus-client`).
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
    measured.ending = .paused(.windowClosed)
    measured.executorCPUSeconds = 0.042
    return measured
  }()

  static let root = MetricsSnapshot(
    fsid: "0f3c5e1a-8d2b-4c6e-9a7f-1b2c3d4e5f60", mountpoint: "/", policy: "nightly-compaction",
    ran: measuredSummary, durationSeconds: 812.25,
    finishedAt: Date(timeIntervalSince1970: 1_732_500_000), unallocatedByDevice: [1: 4_294_967_296])

  /// A refused attempt: no run figures, but its time, reason and the devices' unallocated space.
  static let refused = MetricsSnapshot(
    fsid: "77777777-0000-4000-8000-000000000002", mountpoint: "/srv/full", policy: "emergency",
    outcome: .refused(.belowUnallocatedFloor(unallocated: 1 << 20, floor: 1 << 30)),
    durationSeconds: 0.01, finishedAt: Date(timeIntervalSince1970: 1_732_600_000),
    exitStatus: .belowUnallocatedFloor, unallocatedByDevice: [1: 1 << 19, 2: 1 << 19])

  static let odd = MetricsSnapshot(
    fsid: "5a6b7c8d-0000-4000-8000-000000000001", mountpoint: #"/srv/a "b"\c"#,
    policy: "nightly-compaction", ran: noSpaceSummary, durationSeconds: 3,
    finishedAt: Date(timeIntervalSince1970: 1_732_500_100.5))

  static let noSpaceSummary = {
    var noSpace = summary
    noSpace.ending = .noSpace
    return noSpace
  }()

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
      "python3 has no prometheus_client (apt-get install python3-prometheus-client); under CI=true this fails"
    ))
  func parsesWithPrometheusClient() throws {
    try #require(
      Self.hasPrometheusClient,
      "/usr/bin/python3 has no prometheus_client: apt-get install python3-prometheus-client")
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
    #expect(value("btrfs_steward_last_attempt_timestamp_seconds") == 1_732_500_000)
    #expect(value("btrfs_steward_last_run_duration_seconds") == 812.25)
    #expect(value("btrfs_steward_last_attempt_exit_status") == 75)
    #expect(value("btrfs_steward_device_unallocated_bytes", ["devid": "1"]) == 4_294_967_296)
    #expect(value("btrfs_steward_last_run_relocated_bytes") == 734_003_200)
    for label in MetricsSnapshot.Outcome.labels {
      #expect(
        value("btrfs_steward_last_attempt_outcome", ["outcome": label])
          == (label == "paused" ? 1 : 0))
    }
    #expect(value("btrfs_steward_last_run_operations", ["result": "relocated"]) == 3)
    #expect(value("btrfs_steward_last_run_operations", ["result": "skipped"]) == 1)
    #expect(value("btrfs_steward_last_run_operations", ["result": "failed"]) == 0)
    #expect(value("btrfs_steward_last_run_operations", ["result": "left"]) == 2)
    #expect(value("btrfs_steward_unallocated_bytes", ["when": "before"]) == 1_073_741_824)
    #expect(value("btrfs_steward_unallocated_bytes", ["when": "after"]) == 4_294_967_296)
    #expect(value("btrfs_steward_last_run_executor_cpu_seconds") == 0.042)
    let outcomes = MetricsSnapshot.Outcome.labels.count
    #expect(Set(MetricsSnapshot.Outcome.labels).count == outcomes, "every label once")
    #expect(root.count == outcomes + 13)

    let odd = samples.filter { $0.labels["fsid"] == Self.odd.fsid }
    #expect(odd.count == outcomes + 11, "no executor CPU or device sample for it")
    #expect(odd.allSatisfy { $0.labels["mountpoint"] == #"/srv/a "b"\c"# })
    #expect(
      odd.first { $0.name == "btrfs_steward_last_run_timestamp_seconds" }?.value == 1_732_500_100.5)
    #expect(
      odd.first { $0.labels["outcome"] == "no-space" }?.value == 1)
  }

  @Test(
    "a refused attempt: its time, reason, exit status and devices, and no run figures",
    .enabled(
      if: hasPrometheusClient || ToolRun.isCI,
      "python3 has no prometheus_client (apt-get install python3-prometheus-client); under CI=true this fails"
    ))
  func refusedAttempt() throws {
    try #require(Self.hasPrometheusClient, "apt-get install python3-prometheus-client")
    let directory = try ToolRun.temporaryDirectory("metrics")
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("btrfs-steward.prom").path
    try MetricsFile(path: path).write([Self.refused])
    let samples = try parse(path)
    #expect(!samples.contains { $0.name.hasPrefix("btrfs_steward_last_run_") })
    #expect(!samples.contains { $0.name == "btrfs_steward_unallocated_bytes" })
    let ones = samples.filter { $0.name == "btrfs_steward_last_attempt_outcome" && $0.value == 1 }
    #expect(ones.map { $0.labels["outcome"] } == ["refused-below-unallocated-floor"])
    #expect(
      samples.first { $0.name == "btrfs_steward_last_attempt_exit_status" }?.value
        == Double(ExitStatus.belowUnallocatedFloor.rawValue))
    #expect(
      samples.first { $0.name == "btrfs_steward_last_attempt_timestamp_seconds" }?.value
        == 1_732_600_000)
    #expect(
      samples.filter { $0.name == "btrfs_steward_device_unallocated_bytes" }
        .map { $0.labels["devid"] ?? "" }.sorted() == ["1", "2"])
  }

  @Test(
    "promtool check metrics accepts the file of runs and refusals",
    .enabled(
      if: promtool != nil || ToolRun.isCI,
      "promtool is not installed (apt-get install prometheus); under CI=true this fails"))
  func promtoolAccepts() throws {
    let promtool = try #require(Self.promtool, "promtool is missing: apt-get install prometheus")
    let directory = try ToolRun.temporaryDirectory("metrics")
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("btrfs-steward.prom").path
    try MetricsFile(path: path).write([Self.root, Self.odd, Self.refused])
    let check = try ToolRun.run("/bin/sh", ["-c", "\"$0\" check metrics < \"$1\"", promtool, path])
    #expect(check.status == 0, "\(check.output)\n\(check.errors)")
    #expect(check.output.isEmpty && check.errors.isEmpty, "\(check.output)\n\(check.errors)")
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
    #expect(helps.count == 10)
    #expect(types.count == 10)
    #expect(types.allSatisfy { $0.hasSuffix(" gauge") })
    #expect(lines.first?.hasPrefix("# HELP btrfs_steward_last_attempt_timestamp_seconds ") == true)
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
