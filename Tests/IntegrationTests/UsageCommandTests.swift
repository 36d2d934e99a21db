import Btrfs
import Foundation
import Steward
import Testing

@Suite(
  "btrfs-steward usage on a real filesystem", .serialized,
  .enabled(if: IntegrationEnvironment.shouldRun))
struct UsageCommandTests {
  @Test("--json reports every block group as dump-tree does, and the histogram counts them")
  func jsonMatchesDumpTree() throws {
    try withScratchFilesystem { scratch in
      try scratch.fragment(fileCount: 40, fileSize: 8 << 20, seed: 21)
      let result = try steward(["usage", "--json", scratch.mountpoint])
      #expect(result.status == 0, "\(result.standardError)")
      let report = try JSONDecoder().decode(
        UsageReport.self, from: Data(result.standardOutput.utf8))
      let truth = try BtrfsProgs.dumpedBlockGroups(
        device: scratch.loopDevice, blockGroupTree: false)
      #expect(report.blockGroups == truth)
      let dataHistogram = try #require(report.histograms.first { $0.type == .data })
      #expect(dataHistogram.total == truth.filter { $0.type == .data }.count)
      #expect(
        report.unallocatedBytes == (try BtrfsProgs.unallocated(mountpoint: scratch.mountpoint)))

      let text = try steward(["usage", scratch.mountpoint])
      #expect(text.status == 0)
      #expect(text.standardOutput.contains("Data block groups: \(dataHistogram.total), by usage:"))
      #expect(text.standardOutput.contains("Data, single"))

      let picture = scratch.directory.appendingPathComponent("usage.svg").path
      let drawn = try steward(["usage", "--svg", picture, scratch.mountpoint])
      #expect(drawn.status == 0, "\(drawn.standardError)")
      let svg = try String(contentsOfFile: picture, encoding: .utf8)
      #expect(svg.hasPrefix("<?xml") && svg.hasSuffix("</svg>\n"))
      #expect(svg.components(separatedBy: "<g><title>").count - 1 == truth.count)
    }
  }

  @Test("without root it says that root is needed, with its own exit status")
  func needsRoot() throws {
    try withScratchFilesystem { scratch in
      let result = try steward(["usage", scratch.mountpoint], asUser: "65534")
      #expect(result.status == Steward.ExitStatus.notPermitted.rawValue)
      #expect(result.standardError.contains("needs root (CAP_SYS_ADMIN)"))
    }
  }

  @Test("a path that is not on btrfs gets its own message and exit status")
  func notBtrfs() throws {
    let result = try steward(["usage", "/proc"])
    #expect(result.status == Steward.ExitStatus.notBtrfs.rawValue)
    #expect(result.standardError.contains("/proc is not on a btrfs filesystem"))
  }
}
