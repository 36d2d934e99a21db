import ArgumentParser
import Foundation
import Steward

/// Times loading the largest policies the loader accepts (just under its 1 MiB limit), valid and
/// invalid, against the target of 50 ms.
struct PolicyLoadBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "policy-load",
    abstract: "Load time of the largest policies the loader accepts (target < 50 ms each).",
    discussion: """
      Builds each policy in memory, just under the 1 MiB limit: 50,000 unknown keys, one key \
      of a megabyte, 8,000 valid rules, and a deeply nested flow mapping; loads each --repetitions \
      times and prints the median and the spread.
      """
  )

  @Option(help: "How many loads of each policy.")
  var repetitions = 5

  static let target = 0.050

  func run() throws {
    let header = "version: 1\nname: big\n"
    let rule = "  - name: r\n    select: { type: data, usage-below: 50% }\n"
    let cases: [(String, String)] = [
      (
        "50,000 unknown keys",
        header + "rules:\n" + rule + (0..<50_000).map { "k\($0): x\n" }.joined()
      ),
      (
        "one 1,000,000-character key",
        header + "rules:\n" + rule + String(repeating: "k", count: 1_000_000) + ": x\n"
      ),
      (
        "8,000 valid rules",
        header + "rules:\n"
          + (0..<8_000).map { "  - { name: r\($0), select: { type: data, usage-below: 50% } }\n" }
          .joined()
      ),
      (
        "nesting 60 deep",
        header + "rules:\n" + rule + "x: " + String(repeating: "[", count: 60)
          + String(repeating: "]", count: 60) + "\n"
      ),
    ]
    print("policy                          bytes     median      spread            target 50 ms")
    for (name, yaml) in cases {
      guard yaml.utf8.count <= PolicyLoader.maximumFileSize else {
        throw BenchmarkFailure("\(name) is over the loader's limit")
      }
      let timings = Timings.measure(repetitions: repetitions) {
        _ = try? PolicyLoader().load(yaml: yaml, file: "bench.yaml")
      }
      let verdict = timings.median < Self.target ? "met" : "MISSED"
      print(
        name.padding(toLength: 32, withPad: " ", startingAt: 0)
          + String(yaml.utf8.count).padding(toLength: 10, withPad: " ", startingAt: 0)
          + milliseconds(timings.median).padding(toLength: 12, withPad: " ", startingAt: 0)
          + timings.spread.padding(toLength: 18, withPad: " ", startingAt: 0) + verdict)
    }
  }
}
