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
    let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    #expect(object?["schema"] as? String == "layout")
    #expect(object?["schemaVersion"] as? Int == 1)
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

@Suite("Layout validation")
struct LayoutValidationTests {
  private func problems(_ layout: Layout) -> [LayoutError] {
    do {
      try layout.validate()
      return []
    } catch .contradictions(let all) {
      return all
    } catch {
      return [error]
    }
  }

  @Test("a block group ending past 2^64 is refused, not a crash")
  func addressOverflow() {
    var layout = SyntheticLayout(dataBlockGroups: 2).layout()
    let last = layout.blockGroups.count - 1
    layout.blockGroups[last].vaddr = .max - 10
    layout.chunks[last].vaddr = .max - 10
    #expect(
      problems(layout).contains(
        .addressOverflow(vaddr: .max - 10, length: layout.blockGroups[last].length)))
  }

  @Test("extents that no read produces are refused, not a crash: overlapping, past 2^64, misplaced")
  func impossibleExtents() {
    var layout = SyntheticLayout(dataBlockGroups: 2).layout()
    let data = layout.blockGroups.filter { $0.type == .data }
    let (first, second) = (data[0], data[1])
    layout.extents = [
      // Two extents of 2^63 bytes at one address: their sum passes 2^64.
      BlockGroupExtents(
        vaddr: first.vaddr, starts: [first.vaddr, first.vaddr], lengths: [1 << 63, 1 << 63]),
      BlockGroupExtents(vaddr: second.vaddr, starts: [.max - 4095], lengths: [8192]),
      BlockGroupExtents(vaddr: second.vaddr, starts: [], lengths: []),
      BlockGroupExtents(vaddr: 12345, starts: [], lengths: []),
    ]
    let found = problems(layout)
    #expect(found.contains(.extentOutsideBlockGroup(vaddr: first.vaddr, start: first.vaddr)))
    #expect(found.contains(.extentOutsideBlockGroup(vaddr: second.vaddr, start: .max - 4095)))
    #expect(found.contains(.extentsWithoutBlockGroup(vaddr: second.vaddr)))
    #expect(found.contains(.extentsWithoutBlockGroup(vaddr: 12345)))
    #expect(found.count == 4)
    layout.extents = [
      BlockGroupExtents(
        vaddr: first.vaddr, starts: [first.vaddr, first.vaddr + 4096], lengths: [8192, 4096]),
      BlockGroupExtents(vaddr: second.vaddr, starts: [second.vaddr + 4096], lengths: [0]),
    ]
    #expect(
      problems(layout) == [
        .overlappingExtents(vaddr: first.vaddr, start: first.vaddr + 4096),
        .emptyExtent(vaddr: second.vaddr, start: second.vaddr + 4096),
      ])
    layout.extents = [
      BlockGroupExtents(
        vaddr: first.vaddr, starts: [first.vaddr, first.vaddr + 4096], lengths: [4096, 4096])
    ]
    #expect(problems(layout).isEmpty)
  }

  @Test("every contradiction is listed at once: device size 0, allocated > total, sizes 0")
  func everyContradiction() {
    var layout = SyntheticLayout(dataBlockGroups: 2, deviceCount: 2).layout()
    layout.nodeSize = 0
    layout.chunkSizes[.data] = 0
    layout.devices[0].totalBytes = 0
    layout.devices[1].allocatedBytes = layout.devices[1].totalBytes + 1
    let found = problems(layout)
    #expect(found.contains(.zeroNodeSize))
    #expect(found.contains(.zeroChunkSize(.data)))
    #expect(found.contains(.emptyDevice(devid: layout.devices[0].devid)))
    #expect(found.contains { if case .overallocatedDevice = $0 { true } else { false } })
    #expect("\(LayoutError.contradictions(found))".contains("\(found.count) contradictions"))
  }

  @Test("a JSON syntax error names its line and column; a FIFO is refused at once")
  func syntaxErrorAndFIFO() throws {
    let directory = try TemporaryDirectory("layout")
    let path = directory.sub("bad.json")
    try Data("{\"fsid\": \"x\",\n \"nodeSize\": 16384, oops }".utf8)
      .write(to: URL(fileURLWithPath: path))
    #expect {
      try LayoutFile.read(from: path)
    } throws: { error in
      guard case .invalid(_, let reason) = error as? LayoutFileError else { return false }
      return reason.hasPrefix("line 2, column 21: ")
    }
    let fifo = directory.sub("fifo.json")
    #expect(mkfifo(fifo, 0o600) == 0)
    #expect(throws: LayoutFileError.unreadable(file: fifo, reason: "not a regular file")) {
      try LayoutFile.read(from: fifo)
    }
  }
}
