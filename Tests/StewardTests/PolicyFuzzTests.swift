import Foundation
import Testing

@testable import Steward

/// SplitMix64: a small deterministic generator, so that every run fuzzes the same cases.
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Damages YAML texts and makes up random ones.
struct PolicyMutator {
  var random: SeededGenerator

  /// Bytes that matter to YAML, and a few that libyaml refuses.
  static let interesting =
    Array(":-[]{},#&*!|>'\"%@`? \n\t\r.0123456789~".utf8) + [0, 1, 0x7F, 0xC3, 0xA9]
  static let keys =
    PolicyReader.policyKeys + PolicyReader.ruleKeys + PolicyReader.selectionKeys + [
      "days", "start", "end", "on-ac-power", "min-unallocated", "max-runtime", "unallocated-below",
    ]
  static let values = [
    "1", "0", "-3", "10%", "150%", "2GiB", "2G", "5s", "1h30m", "\"01:00\"", "\"25:00\"", "mon",
    "weekdays", "true", "yes", "~", "auto", "data", "metadata", "mixed", "least-used-first", "skip",
    "[]", "{}", "&a 1", "*a", "!!str x", "'q'", "\"10%..60%\"", "[mon, tue]", "{ type: data }",
  ]

  mutating func mutate(_ text: String) -> String {
    var bytes = Array(text.utf8)
    for _ in 0..<Int.random(in: 1...4, using: &random) where !bytes.isEmpty {
      let at = Int.random(in: 0..<bytes.count, using: &random)
      switch Int.random(in: 0..<6, using: &random) {
      case 0: bytes.removeSubrange(at...)
      case 1:
        bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...8, using: &random)))
      case 2: bytes.insert(Self.interesting.randomElement(using: &random)!, at: at)
      case 3: bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
      case 4: bytes.swapAt(at, Int.random(in: 0..<bytes.count, using: &random))
      default: bytes = reindent(bytes, at: at)
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Adds or removes up to three spaces at the start of the line holding byte `at`.
  private mutating func reindent(_ bytes: [UInt8], at: Int) -> [UInt8] {
    var bytes = bytes
    let lineStart = bytes[..<at].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
    let change = Int.random(in: -3...3, using: &random)
    if change > 0 {
      bytes.insert(contentsOf: repeatElement(UInt8(ascii: " "), count: change), at: lineStart)
    } else {
      let spaces = bytes[lineStart...].prefix { $0 == UInt8(ascii: " ") }.count
      bytes.removeSubrange(lineStart..<lineStart + min(spaces, -change))
    }
    return bytes
  }

  /// A random block-style YAML mapping built from policy words, `depth` levels deep at most.
  mutating func randomDocument(depth: Int = 3, indent: String = "") -> String {
    var lines: [String] = []
    for _ in 0..<Int.random(in: 1...5, using: &random) {
      let key = Self.keys.randomElement(using: &random)!
      switch depth > 0 ? Int.random(in: 0..<4, using: &random) : 3 {
      case 0:
        lines.append("\(indent)\(key):\n" + randomDocument(depth: depth - 1, indent: indent + "  "))
      case 1:
        lines.append("\(indent)\(key):")
        for _ in 0..<Int.random(in: 0...3, using: &random) {
          lines.append("\(indent)  - " + Self.values.randomElement(using: &random)!)
        }
      default:
        lines.append("\(indent)\(key): " + Self.values.randomElement(using: &random)!)
      }
    }
    return lines.joined(separator: "\n")
  }
}

@Suite("Policy loader fuzzing")
struct PolicyFuzzTests {
  /// Every outcome is a policy or at least one diagnostic at a real position.
  static func check(_ yaml: String) {
    do {
      _ = try PolicyLoader().load(yaml: yaml, file: "fuzz.yaml")
    } catch {
      guard case .invalid(let diagnostics) = error else {
        Issue.record("unexpected \(error)")
        return
      }
      #expect(!diagnostics.isEmpty, "no diagnostic for:\n\(yaml)")
      for diagnostic in diagnostics where diagnostic.line < 1 || diagnostic.column < 1 {
        Issue.record("\(diagnostic) has no position, for:\n\(yaml)")
      }
    }
  }

  @Test func damagedExamplePoliciesNeverCrashTheLoader() throws {
    let examples = try ExamplePolicies.paths().map {
      try String(contentsOfFile: $0, encoding: .utf8)
    }
    var mutator = PolicyMutator(random: SeededGenerator(state: 2024))
    for round in 0..<3000 {
      Self.check(mutator.mutate(examples[round % examples.count]))
    }
  }

  @Test func randomDocumentsNeverCrashTheLoader() {
    var mutator = PolicyMutator(random: SeededGenerator(state: 7))
    for round in 0..<1500 {
      let document = mutator.randomDocument()
      Self.check(round.isMultiple(of: 2) ? document : mutator.mutate(document))
    }
  }
}
