import Foundation
import Testing

@Suite("the demo", .enabled(if: IntegrationEnvironment.shouldRun))
struct DemoCommandTests {
  @Test("piped to a file, the demo shows the run on standard output, in its place")
  func runOnStandardOutput() throws {
    try IntegrationEnvironment.requirePrerequisites()
    let demo = try steward(["demo"])
    #expect(demo.status == 0, "\(demo.standardError)")
    let output = demo.standardOutput
    let run = try #require(output.range(of: "== 3. run"), "\(output)")
    let after = try #require(output.range(of: "== 4. usage"), "\(output)")
    let section = output[run.upperBound..<after.lowerBound]
    #expect(section.contains("Starting run of policy 'demo-compaction'"), "\(section)")
    #expect(section.contains("[1/"), "\(section)")
    #expect(section.contains("relocated"), "\(section)")
    #expect(section.contains("Finished (completed)"), "\(section)")
  }
}

extension DemoCommandTests {
  @Test("with --quiet the run's notices are left out; its sections stay")
  func quiet() throws {
    try IntegrationEnvironment.requirePrerequisites()
    let demo = try steward(["demo", "--quiet"])
    #expect(demo.status == 0, "\(demo.standardError)")
    #expect(demo.standardOutput.contains("== 3. run"))
    #expect(!demo.standardOutput.contains("[1/"), "\(demo.standardOutput)")
    #expect(!demo.standardOutput.contains("Starting run of policy"))
  }
}
