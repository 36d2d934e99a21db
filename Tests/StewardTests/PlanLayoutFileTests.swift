import Btrfs
import Foundation
import Testing

@testable import Steward

@Suite("Layout files")
struct PlanLayoutFileTests {
  private func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory
      .appendingPathComponent("steward-layout-\(UUID().uuidString)-\(name)").path
  }

  @Test("a layout written is read back unchanged")
  func roundTrip() throws {
    let layout = SyntheticLayout(dataBlockGroups: 50, deviceCount: 2, seed: 3).layout()
    let path = temporaryPath("roundtrip.json")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try LayoutFile.write(layout, to: path)
    #expect(try LayoutFile.read(from: path) == layout)
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(text.contains("\"capturedAt\" : \"2025-01-01T00:00:00Z\""))
  }

  @Test("a missing, malformed or inconsistent file is refused with the reason")
  func refused() throws {
    let missing = temporaryPath("missing.json")
    #expect {
      try LayoutFile.read(from: missing)
    } throws: { error in
      guard case .unreadable(let file, _) = error as? LayoutFileError else { return false }
      return file == missing
    }
    let malformed = temporaryPath("malformed.json")
    defer { try? FileManager.default.removeItem(atPath: malformed) }
    try Data("{\"fsid\": 1}".utf8).write(to: URL(fileURLWithPath: malformed))
    #expect {
      try LayoutFile.read(from: malformed)
    } throws: { error in
      guard case .invalid = error as? LayoutFileError else { return false }
      return true
    }
    var layout = SyntheticLayout(dataBlockGroups: 3).layout()
    layout.blockGroups[1].used = layout.blockGroups[1].length + 1
    let inconsistent = temporaryPath("inconsistent.json")
    defer { try? FileManager.default.removeItem(atPath: inconsistent) }
    try LayoutFile.write(layout, to: inconsistent)
    #expect(
      throws: LayoutFileError.inconsistent(
        file: inconsistent, .usedExceedsLength(vaddr: layout.blockGroups[1].vaddr))
    ) {
      try LayoutFile.read(from: inconsistent)
    }
  }
}
