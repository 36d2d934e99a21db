import Btrfs
import Foundation
import FoundationXML
import Steward
import Testing

/// The SVG pictures of `usage --svg` and `plan --svg`: what they draw, and that a real browser
/// renders them.
@Suite("block group picture")
struct BlockGroupPictureTests {
  static let layouts = ExampleLayoutsTests.directory
  static let chromium = ["chromium", "chromium-browser"].lazy.compactMap(ToolRun.locate).first
  static let python =
    FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
    ? "/usr/bin/python3" : ToolRun.locate("python3")

  private func plan(_ layoutName: String) throws -> (Plan, Layout) {
    let layout = try LayoutFile.read(from: Self.layouts.appendingPathComponent(layoutName).path)
    let loaded = try PolicyLoader().loadWithDigest(
      contentsOfFile: ExamplePolicies.directory.deletingLastPathComponent()
        .appendingPathComponent("examples/policies/compact-half-empty.yaml").path)
    let plan = try Planner(policy: loaded.policy, policyDigest: loaded.digest).plan(
      for: layout, at: layout.capturedAt)
    return (plan, layout)
  }

  /// Occurrences of `needle` in `text`.
  private func count(_ needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
  }

  @Test("a plan's picture: every block group before and after, moves and new chunks marked")
  func planPicture() throws {
    let (plan, layout) = try plan("fragmented-3g.json")
    try #require(!plan.operations.isEmpty)
    let svg = try BlockGroupPicture(plan: plan, before: layout).svg
    #expect(try isWellFormedXML(svg))
    let afterCount = plan.outcome.blockGroupsAfter
    #expect(count("<g><title>", in: svg) == layout.blockGroups.count + afterCount)
    #expect(count("stroke=\"#d0021b\" stroke-width=\"2\"/></g>", in: svg) == plan.operations.count)
    #expect(svg.contains("predicted after: \(afterCount) block groups"))
    for operation in plan.operations {
      #expect(svg.contains(" \(operation.target.vaddr): "), "\(operation.target.vaddr)")
    }
  }

  @Test("a layout of two devices is drawn per device, each in address order")
  func perDevice() throws {
    let layout = try LayoutFile.read(
      from: Self.layouts.appendingPathComponent("raid1-two-devices.json").path)
    let svg = BlockGroupPicture(usageOf: layout).svg
    #expect(try isWellFormedXML(svg))
    #expect(svg.contains("device 1 ") && svg.contains("device 2 "))
    // raid1: every block group has a stripe on both devices, so each is drawn twice.
    #expect(count("<g><title>", in: svg) == 2 * layout.blockGroups.count)
    let vaddrs = svg.components(separatedBy: "<g><title>").dropFirst().compactMap {
      $0.split(separator: " ").dropFirst().first.flatMap { UInt64($0.dropLast()) }
    }
    let perDevice = vaddrs.count / 2
    #expect(Array(vaddrs.prefix(perDevice)) == layout.blockGroups.map(\.vaddr).sorted())
    #expect(Array(vaddrs.suffix(perDevice)) == layout.blockGroups.map(\.vaddr).sorted())
  }

  @Test(
    "headless Chromium renders the plan's picture: its colours are on the screenshot",
    .enabled(
      if: chromium != nil || ToolRun.isCI,
      "chromium is not installed (apt-get install chromium); under CI=true this fails"))
  func rendersInChromium() throws {
    let chromium = try #require(Self.chromium, "chromium is missing: apt-get install chromium")
    let python = try #require(Self.python, "python3 is missing")
    let directory = try ToolRun.temporaryDirectory("picture")
    defer { try? FileManager.default.removeItem(at: directory) }
    let (plan, layout) = try plan("large-block-group-tree.json")
    let picture = directory.appendingPathComponent("plan.svg")
    try Data(try BlockGroupPicture(plan: plan, before: layout).svg.utf8).write(to: picture)
    let screenshot = directory.appendingPathComponent("plan.png")
    let render = try ToolRun.run(
      chromium,
      [
        "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
        "--user-data-dir=\(directory.appendingPathComponent("profile").path)",
        "--window-size=1200,700", "--screenshot=\(screenshot.path)", picture.absoluteString,
      ])
    try #require(render.status == 0, "\(render.errors)")
    let decoder = ToolRun.repositoryRoot.appendingPathComponent(
      "Tests/StewardTests/Support/png-colours.py")
    let decoded = try ToolRun.run(python, [decoder.path, screenshot.path])
    try #require(decoded.status == 0, "\(decoded.errors)")
    struct Pixels: Decodable {
      var width: Int
      var height: Int
      var colours: [String: Int]
    }
    let pixels = try JSONDecoder().decode(Pixels.self, from: Data(decoded.output.utf8))
    #expect(pixels.width == 1200 && pixels.height == 700)
    // Not blank: the data fill, the type outline and the plan's marks are all drawn, over
    // thousands of pixels, beside the white background.
    #expect((pixels.colours["#5b9bd5"] ?? 0) > 5_000, "data fill")
    #expect((pixels.colours["#d0021b"] ?? 0) > 1_000, "relocation marks")
    #expect((pixels.colours["#1f5fa8"] ?? 0) > 1_000, "data outlines")
    #expect((pixels.colours["#ffffff"] ?? 0) > pixels.width * pixels.height / 4)
    #expect(pixels.colours.count > 20)
  }

  private func isWellFormedXML(_ text: String) throws -> Bool {
    XMLParser(data: Data(text.utf8)).parse()
  }
}
