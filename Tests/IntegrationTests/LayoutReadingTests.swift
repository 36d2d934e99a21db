import Btrfs
import Foundation
import Testing

@Suite(
  "Reading the layout of a real btrfs filesystem", .serialized,
  .enabled(if: IntegrationEnvironment.shouldRun))
struct LayoutReadingTests {
  @Test("block groups match dump-tree item for item", arguments: [false, true])
  func blockGroupsMatchDumpTree(blockGroupTree: Bool) throws {
    try withScratchFilesystem(features: blockGroupTree ? ["block-group-tree"] : []) { scratch in
      try scratch.fragment(fileCount: 40, fileSize: 8 << 20)
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      let info = try fileSystem.info()
      #expect(info.features.hasBlockGroupTree == blockGroupTree)
      let layout = try fileSystem.layout()
      let truth = try BtrfsProgs.dumpedBlockGroups(
        device: scratch.loopDevice, blockGroupTree: blockGroupTree)
      #expect(layout.blockGroups.count >= 4)
      #expect(layout.blockGroups == truth)
      #expect(layout.chunks.map(\.vaddr) == truth.map(\.vaddr))
      #expect(layout.chunks.map(\.flags) == truth.map(\.flags))
      // The fragmenting left data block groups at different usage.
      let dataUsages = Set(layout.blockGroups.filter { $0.type == .data }.map(\.used))
      #expect(dataUsages.count > 1)
    }
  }

  @Test(
    "the layout with extents leaps over metadata that fills several searches, and misses nothing")
  func detailedLayoutLeapsOverMetadata() throws {
    // 4 KiB tree blocks and 20,000 files of inline data: several thousand metadata items, more
    // than one search buffer holds, between data block groups.
    try withScratchFilesystem(mkfsArguments: ["-n", "4096"]) { scratch in
      try shell(
        "/usr/bin/python3", "-c",
        """
        import os, sys
        for i in range(20000):
            if i % 500 == 0: os.makedirs(f"{sys.argv[1]}/d{i // 500}")
            with open(f"{sys.argv[1]}/d{i // 500}/f{i}", "wb") as f: f.write(os.urandom(1024))
        for i in range(40):
            with open(f"{sys.argv[1]}/big{i}", "wb") as f: f.write(os.urandom(4 << 20))
        """, scratch.mountpoint)
      try shell("btrfs", "filesystem", "sync", scratch.mountpoint)
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      let layout = try fileSystem.detailedLayout()
      let truth = try BtrfsProgs.dumpedBlockGroups(
        device: scratch.loopDevice, blockGroupTree: false)
      let metadata = layout.blockGroups.filter { $0.type == .metadata }
      #expect(metadata.reduce(0) { $0 + $1.used } / 4096 > 8_000)
      #expect(layout.blockGroups == truth)
      let extents = try #require(layout.extents)
      let data = layout.blockGroups.filter { $0.type == .data }
      #expect(extents.map(\.vaddr) == data.map(\.vaddr))
      #expect(extents.map(\.usedBytes) == data.map(\.used))
      #expect(layout.chunks.map(\.vaddr) == truth.map(\.vaddr))
    }
  }

  @Test("space info matches `btrfs filesystem df`, unallocated matches `filesystem usage`")
  func spaceInfoMatchesProgs() throws {
    try withScratchFilesystem { scratch in
      try scratch.fragment(fileCount: 30, fileSize: 8 << 20, seed: 7)
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      let spaceInfo = try fileSystem.spaceInfo()
      let truth = try BtrfsProgs.spaceInfo(mountpoint: scratch.mountpoint)
      #expect(spaceInfo.map(\.label) == truth.map(\.label))
      #expect(spaceInfo.map(\.total) == truth.map(\.total))
      #expect(spaceInfo.map(\.used) == truth.map(\.used))
      let layout = try fileSystem.layout()
      #expect(
        layout.unallocatedBytes == (try BtrfsProgs.unallocated(mountpoint: scratch.mountpoint)))
      #expect(layout.devices.count == 1)
      #expect(layout.devices[0].path == scratch.loopDevice)
      #expect(layout.devices[0].totalBytes == 2 << 30)
    }
  }

  @Test("a block group is found by its address and gone after it is relocated")
  func blockGroupLookup() throws {
    try withScratchFilesystem { scratch in
      try scratch.fragment(fileCount: 30, fileSize: 8 << 20, seed: 3)
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      let target = try #require(
        fileSystem.layout().blockGroups.filter { $0.type == .data && $0.used > 0 }.first)
      #expect(try fileSystem.blockGroup(at: target.vaddr) == target)
      #expect(try fileSystem.blockGroup(at: target.vaddr + 4096) == nil)
      _ = try fileSystem.startBalance(.relocating(target))
      #expect(try fileSystem.blockGroup(at: target.vaddr) == nil)
    }
  }

  @Test("a path that is not on btrfs is refused with its own error")
  func notBtrfs() throws {
    #expect(throws: BtrfsError.notBtrfs(path: "/proc")) { try FileSystem(path: "/proc") }
    #expect {
      try FileSystem(path: "/nonexistent/steward")
    } throws: { error in
      guard case .systemCall("open", "/nonexistent/steward", let errno) = error as? BtrfsError
      else { return false }
      return errno == .noSuchFileOrDirectory
    }
  }
}
