import Foundation
import Glibc
import Testing

@testable import Steward

@Suite("Policy files: what is read, how, and how fast")
struct PolicyFileTests {
  static let minimal = """
    version: 1
    name: small
    rules:
      - name: r
        select: { type: data, usage-below: 50% }

    """

  @Test("a FIFO or a directory named as the policy is refused at once, not waited on")
  func notARegularFile() throws {
    let directory = try TemporaryDirectory("policy")
    let fifo = directory.sub("policy.yaml")
    #expect(mkfifo(fifo, 0o600) == 0)
    for path in [fifo, directory.path] {
      #expect {
        _ = try PolicyLoader().loadWithDigest(contentsOfFile: path)
      } throws: { error in
        guard case .unreadable(_, let reason) = error as? PolicyLoadError else { return false }
        return reason == "not a regular file"
      }
    }
  }

  @Test("a leading UTF-8 byte-order mark is accepted")
  func byteOrderMark() throws {
    let directory = try TemporaryDirectory("policy")
    let path = directory.sub("policy.yaml")
    try Data([0xEF, 0xBB, 0xBF] + Array(Self.minimal.utf8)).write(to: URL(fileURLWithPath: path))
    let loaded = try PolicyLoader().loadWithDigest(contentsOfFile: path)
    #expect(loaded.policy.name == "small")
  }

  @Test("a relative policy path is recorded absolute")
  func relativePathIsAbsolute() throws {
    let directory = try TemporaryDirectory("policy")
    try Self.minimal.write(toFile: directory.sub("policy.yaml"), atomically: true, encoding: .utf8)
    #expect(mkdir(directory.sub("sub"), 0o700) == 0)
    let previous = FileManager.default.currentDirectoryPath
    #expect(FileManager.default.changeCurrentDirectoryPath(directory.path))
    defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
    let loaded = try PolicyLoader().loadWithDigest(contentsOfFile: "./sub/../policy.yaml")
    let real = try #require(realpath(directory.path, nil))
    defer { free(real) }
    #expect(
      loaded.path == String(cString: real) + "/policy.yaml"
        || loaded.path == directory.path + "/policy.yaml")
  }

  @Test("of 50,000 unknown keys the first 200 are reported each, the rest counted at the first")
  func manyUnknownKeys() throws {
    let yaml = Self.minimal + (0..<50_000).map { "unknown\($0): x\n" }.joined()
    #expect(yaml.utf8.count < PolicyLoader.maximumFileSize)
    let diagnostics = policyDiagnostics(yaml)
    #expect(diagnostics.count == 201)
    #expect(diagnostics.dropLast().allSatisfy { $0.message.hasPrefix("unknown key 'unknown") })
    #expect(diagnostics[199].message.contains("expected one of: version, name"))
    let rest = try #require(diagnostics.last)
    #expect(
      rest.message.hasPrefix(
        "49800 more unknown keys in the policy, the first 'unknown200'; "
          + "expected one of: version, name"))
    #expect(rest.line == diagnostics[199].line + 1 && rest.column == 1)
  }

  @Test("an edit distance beyond its limit is given up on; within it, it is exact")
  func boundedEditDistance() {
    func distance(_ a: String, _ b: String, _ limit: Int) -> Int? {
      KeySuggestion.editDistance(Array(a.unicodeScalars), Array(b.unicodeScalars), limit: limit)
    }
    #expect(distance("kitten", "sitting", 3) == 3)
    #expect(distance("kitten", "sitting", 2) == nil)
    #expect(distance(String(repeating: "x", count: 100_000), "rules", 2) == nil)
    #expect(KeySuggestion.nearest(to: "rulse", among: ["version", "rules"]) == "rules")
  }
}
