import Foundation
import Testing

@testable import Steward

@Suite("Policy load timing")
struct PolicyLoadTimingTests {
  /// Prints (does not assert) how long loading and validating the nightly example takes.
  @Test func printLoadTime() throws {
    let path = ExamplePolicies.directory.appendingPathComponent("nightly-compaction.yaml").path
    let yaml = try String(contentsOfFile: path, encoding: .utf8)
    let rounds = 200
    let clock = ContinuousClock()
    let elapsed = try clock.measure {
      for _ in 0..<rounds { _ = try PolicyLoader().load(yaml: yaml, file: path) }
    }
    print("policy load+validate of nightly-compaction.yaml: \(elapsed / rounds) per load")
  }
}
