import Foundation
import Steward
import Testing

/// Every `--json` output validates against its schema in docs/schemas (with Debian's
/// python3-jsonschema). When a command gains `--json`, or an output a field, add it to its schema
/// and a case here: `check(_:against:)` takes the command line.
@Suite("--json outputs against their schemas", .serialized)
struct JSONSchemaTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  static let schemas = repository.appendingPathComponent("docs/schemas")
  static let python = "/usr/bin/python3"
  static let hasJSONSchema =
    (try? execute([python, "-c", "import jsonschema"]).status) == 0

  /// Validates `text` against `schema` (with `lines`, each line of it) and returns the validator's
  /// result.
  private func validate(_ text: String, against schema: JSONOutput<Int>.Schema, lines: Bool = false)
    throws -> CommandResult
  {
    let document = FileManager.default.temporaryDirectory
      .appendingPathComponent("steward-json-\(UUID().uuidString).json")
    try Data(text.utf8).write(to: document)
    defer { try? FileManager.default.removeItem(at: document) }
    let validator = Self.repository.appendingPathComponent(
      "Tests/IntegrationTests/Support/validate-json.py")
    return try execute(
      [Self.python, validator.path, Self.schemas.path, schema.rawValue, document.path]
        + (lines ? ["--lines"] : []))
  }

  /// The events of a `run --json` stream, each line validated against the run-events schema.
  private func runEvents(_ text: String) throws -> [[String: Any]] {
    let validation = try validate(text, against: .runEvents, lines: true)
    #expect(validation.status == 0, "\(validation.standardOutput)")
    return try text.split(separator: "\n").map {
      try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
    }
  }

  /// Returns once `run`'s journal records that it waits for the machine.
  private func awaitWaitingForMachine(_ run: StewardRun, _ what: String) throws {
    _ = try poll(what, timeout: 60, interval: 0.01) {
      try run.records().contains {
        if case .waitingForMachine = $0.event { true } else { false }
      } ? true : nil
    }
  }

  /// Runs btrfs-steward with `arguments`, validates what it printed against `schema`, and returns
  /// the printed object.
  @discardableResult
  private func check(_ arguments: [String], against schema: JSONOutput<Int>.Schema) throws
    -> [String: Any]
  {
    try #require(
      Self.hasJSONSchema, "/usr/bin/python3 has no jsonschema: apt-get install python3-jsonschema")
    let result = try steward(arguments)
    try #require(!result.standardOutput.isEmpty, "\(arguments): \(result.standardError)")
    let validation = try validate(result.standardOutput, against: schema)
    #expect(validation.status == 0, "\(arguments):\n\(validation.standardOutput)")
    let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))
    let dictionary = try #require(object as? [String: Any])
    #expect(dictionary["schema"] as? String == schema.rawValue)
    #expect(dictionary["schemaVersion"] as? Int == 1)
    return dictionary
  }

  @Test("every output has a schema file, and the schema files are JSON")
  func everyOutputHasASchema() throws {
    for schema in JSONOutput<Int>.Schema.allCases {
      let file = Self.schemas.appendingPathComponent("\(schema.rawValue).schema.json")
      #expect(
        (try? JSONSerialization.jsonObject(with: Data(contentsOf: file))) != nil, "\(file.path)")
    }
  }

  @Test(
    "plan --json and validate --json, without root or btrfs",
    .enabled(
      if: hasJSONSchema || IntegrationEnvironment.isCI,
      "python3-jsonschema is not installed; under CI=true this fails"))
  func offlineOutputs() throws {
    let layouts = Self.repository.appendingPathComponent("examples/layouts")
    for layout in try FileManager.default.contentsOfDirectory(atPath: layouts.path).sorted() {
      for policy in ["policies/weekly-gentle.yaml", "examples/policies/compact-half-empty.yaml"] {
        try check(
          [
            "plan", "--json", "--policy", Self.repository.appendingPathComponent(policy).path,
            "--layout", layouts.appendingPathComponent(layout).path,
          ], against: .plan)
      }
    }
    let bad = FileManager.default.temporaryDirectory
      .appendingPathComponent("steward-json-bad-\(UUID().uuidString).yaml")
    try "version: 1\nname: bad\nrulez: []\n".write(to: bad, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: bad) }
    let report = try check(
      [
        "validate", "--json",
        Self.repository.appendingPathComponent("policies/laptop-on-ac.yaml")
          .path, bad.path, "/nonexistent-btrfs-steward.yaml",
      ], against: .validate)
    #expect(report["valid"] as? Bool == false)
  }

  @Test(
    "a document that breaks its schema is rejected (the validator validates)",
    .enabled(
      if: hasJSONSchema || IntegrationEnvironment.isCI,
      "python3-jsonschema is not installed; under CI=true this fails"))
  func validatorRejects() throws {
    try #require(Self.hasJSONSchema, "apt-get install python3-jsonschema")
    let document = FileManager.default.temporaryDirectory
      .appendingPathComponent("steward-json-\(UUID().uuidString).json")
    try Data(#"{"schema": "validate", "valid": "yes", "files": []}"#.utf8).write(to: document)
    defer { try? FileManager.default.removeItem(at: document) }
    let validator = Self.repository.appendingPathComponent(
      "Tests/IntegrationTests/Support/validate-json.py")
    let validation = try execute([
      Self.python, validator.path, Self.schemas.path, "validate", document.path,
    ])
    #expect(validation.status == 1)
    #expect(validation.standardOutput.contains("schemaVersion"), "\(validation.standardOutput)")
    #expect(validation.standardOutput.contains("valid: 'yes'"), "\(validation.standardOutput)")
  }

  @Test(
    "usage --json and status --json on a real filesystem",
    .enabled(if: IntegrationEnvironment.shouldRun))
  func filesystemOutputs() throws {
    try withScratchFilesystem(size: "2G", features: ["block-group-tree"]) { scratch in
      try scratch.fragment(fileCount: 20, fileSize: 8 << 20, seed: 5)
      let usage = try check(["usage", "--json", scratch.mountpoint], against: .usage)
      let groups = try #require(usage["blockGroups"] as? [[String: Any]])
      #expect(groups.contains { $0["type"] as? String == "data" && $0["profile"] != nil })
      let run = try StewardRun(scratch, policy: compactionPolicy)
      let status = try check(run.control("status", ["--json"]), against: .status)
      #expect((status["filesystems"] as? [Any])?.count == 1)
      try #require(try run.run().status == 0)
      let after = try check(run.control("status", ["--json"]), against: .status)
      let filesystems = try #require(after["filesystems"] as? [[String: Any]])
      #expect(filesystems.first?["run"] != nil, "status reports the journaled run")
    }
  }

  @Test(
    "run --json's event stream, line by line, and a saved layout file, on a real filesystem",
    .enabled(if: IntegrationEnvironment.shouldRun))
  func runEventsAndLayoutFile() throws {
    try #require(Self.hasJSONSchema, "apt-get install python3-jsonschema")
    try withScratchFilesystem(size: "2G", features: ["block-group-tree"]) { scratch in
      try fragmentForInterruption(scratch, seed: 14)
      let run = try StewardRun(scratch, policy: compactionPolicy)

      let layoutFile = scratch.directory.appendingPathComponent("layout.json").path
      let saved = try steward(["layout", "save", "-o", layoutFile, scratch.mountpoint])
      try #require(saved.status == 0, "\(saved.standardError)")
      let layoutText = try String(contentsOfFile: layoutFile, encoding: .utf8)
      let layoutValidation = try validate(layoutText, against: .layout)
      #expect(layoutValidation.status == 0, "\(layoutValidation.standardOutput)")
      let layout = try JSONSerialization.jsonObject(with: Data(layoutText.utf8)) as? [String: Any]
      #expect(layout?["schema"] as? String == "layout")
      #expect(layout?["schemaVersion"] as? Int == 1)
      try check(
        ["plan", "--json", "--policy", run.policyPath, "--layout", layoutFile], against: .plan)

      let result = try steward(run.runArguments + ["--json"])
      try #require(result.status == 0, "\(result.standardError)")
      let events = try runEvents(result.standardOutput)
      #expect(events.allSatisfy { $0["schema"] as? String == "run-events" })
      let kinds = events.compactMap { $0["event"] as? String }
      #expect(kinds.first == "run-started")
      #expect(kinds.last == "run-finished")
      #expect(kinds.contains("operation-started") && kinds.contains("operation-finished"))
      let progress = events.filter { $0["event"] as? String == "progress" }
      #expect(!progress.isEmpty, "a fragmented block group takes long enough to report progress")
      #expect(progress.allSatisfy { $0["relocatedBytes"] != nil && $0["remainingBytes"] != nil })
      #expect(progress.contains { $0["etaSeconds"] != nil }, "later operations report an ETA")
      // Once an operation has relocated bytes, the speed is known and every progress event has an
      // ETA; before, none has.
      var relocatedSoFar = false
      for event in events {
        if event["event"] as? String == "operation-finished",
          let relocated = (event["result"] as? [String: Any])?["relocated"] as? [String: Any],
          (relocated["relocatedBytes"] as? Int ?? 0) > 0
        {
          relocatedSoFar = true
        }
        if event["event"] as? String == "progress" {
          #expect((event["etaSeconds"] != nil) == relocatedSoFar, "\(event)")
        }
      }
    }
  }

  @Test(
    "run --json's pacing events (waiting, yielding, resting) on a real filesystem",
    .enabled(if: IntegrationEnvironment.shouldRun))
  func pacingEvents() throws {
    try #require(Self.hasJSONSchema, "apt-get install python3-jsonschema")
    try withScratchFilesystem(size: "6G") { scratch in
      try fragmentIntoLargeBlockGroups(scratch, seed: 14, chunkMiB: 256)
      let run = try StewardRun(
        scratch, policy: PacingOnKernelTests.policy(yield: .cancel) + "  max-busy-share: 30%\n")
      let pressure = try InjectedPressure(in: scratch.directory, percent: InjectedPressure.high)
      let outputPath = scratch.directory.appendingPathComponent("events.json").path
      _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
      let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
      defer { try? output.close() }
      let process = try run.start(
        environment: pressure.environment, extra: ["--json"], output: output)
      defer { endIfRunning(process) }
      // The run waits for the machine before its first block group, until pressure falls.
      try awaitWaitingForMachine(run, "the run to wait for the machine")
      try pressure.set(0)
      _ = try pressure.raiseUntilYield(run, process, timeout: 120)
      try pressure.set(0)
      #expect(try waitForExit(process) == 0)

      let events = try runEvents(String(contentsOfFile: outputPath, encoding: .utf8))
      let kinds = events.compactMap { $0["event"] as? String }
      for kind in [
        "waiting-for-machine", "machine-calm", "yielding", "operation-yielded", "resting",
      ] {
        #expect(kinds.contains(kind), "\(kind) in \(kinds)")
      }
      let waiting = try #require(events.first { $0["event"] as? String == "waiting-for-machine" })
      let reading = waiting["pressure"] as? [String: Any]
      #expect(reading?["io"] as? Double == InjectedPressure.high, "\(waiting)")
      let yielding = try #require(events.first { $0["event"] as? String == "yielding" })
      #expect(yielding["reason"] as? String == "cancel")
      #expect(kinds.last == "run-finished")
    }
  }

  @Test("run --json: waiting for a protected cgroup names it")
  func protectedWorkloadEvents() throws {
    try #require(Self.hasJSONSchema, "apt-get install python3-jsonschema")
    try withBusyCgroup { scratch, cgroup, reader in
      let run = try StewardRun(
        scratch, policy: compactionPolicy + "\npacing:\n  protect-cgroup: \(cgroup.path)\n")
      let outputPath = scratch.directory.appendingPathComponent("events.json").path
      _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
      let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
      defer { try? output.close() }
      let process = try run.start(extra: ["--json"], output: output)
      defer { endIfRunning(process) }
      try awaitWaitingForMachine(run, "the run to wait for the cgroup")
      endIfRunning(reader)
      #expect(try waitForExit(process) == 0)

      let events = try runEvents(String(contentsOfFile: outputPath, encoding: .utf8))
      let waiting = try #require(events.first { $0["event"] as? String == "waiting-for-machine" })
      #expect(waiting["workload"] as? String == "cgroup \(cgroup.path)", "\(waiting)")
      #expect(waiting["pressure"] == nil)
    }
  }
}
