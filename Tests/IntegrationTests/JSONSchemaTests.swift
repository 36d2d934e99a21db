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
    let document = FileManager.default.temporaryDirectory
      .appendingPathComponent("steward-json-\(UUID().uuidString).json")
    try Data(result.standardOutput.utf8).write(to: document)
    defer { try? FileManager.default.removeItem(at: document) }
    let validator = Self.repository.appendingPathComponent(
      "Tests/IntegrationTests/Support/validate-json.py")
    let validation = try execute([
      Self.python, validator.path, Self.schemas.path, schema.rawValue, document.path,
    ])
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
}
