import Btrfs
import Foundation
import Steward
import Testing

/// The extent-level relocation model against the kernel, on the kinds of filesystem whose plans it
/// changed: a light block group among full ones, and extents that do or do not fit the holes.
@Suite(
  "Relocation model on a real filesystem", .serialized,
  .enabled(if: IntegrationEnvironment.shouldRun))
struct RelocationModelOnKernelTests {
  private let policy = Policy(
    name: "model", windows: [], timeZone: TimeZone(identifier: "UTC")!, limits: Limits(),
    rules: [Rule(name: "least-used", select: Selection(type: .data, usageBelow: 50))])

  private func plan(_ layout: Layout) throws -> Plan {
    try Planner(policy: policy, policyDigest: PolicyDigest.of(Array("model".utf8)))
      .plan(for: layout, at: Date())
  }

  /// Sets 256 MiB data chunks (the kernel refuses more than 10 % of the filesystem) and runs `script` (bash, the mountpoint in `$M`), then commits.
  private func populate(_ scratch: ScratchFilesystem, _ script: String) throws {
    let fsid = try FileSystem(path: scratch.mountpoint).info().fsid
    try Data("\(256 << 20)".utf8).write(
      to: URL(fileURLWithPath: "/sys/fs/btrfs/\(fsid)/allocation/data/chunk_size"))
    try shell(
      "bash", "-e", "-c",
      "M='\(scratch.mountpoint)'\nwrite() { head -c \"$2\" /dev/urandom > \"$1\"; }\n" + script)
    try shell("btrfs", "filesystem", "sync", scratch.mountpoint)
  }

  @Test("extents read from the extent tree add up to every data block group's used bytes")
  func extentsAddUp() throws {
    try withScratchFilesystem(size: "3G") { scratch in
      try populate(
        scratch,
        "for ((i = 0; i < 40; i++)); do write $M/f$i $(( (i % 7 + 1) * 300 ))K; done\n"
          + "for ((i = 0; i < 40; i += 3)); do rm $M/f$i; done")
      let layout = try FileSystem(path: scratch.mountpoint).detailedLayout()
      let extents = try #require(layout.extents)
      let data = layout.blockGroups.filter { $0.type == .data }
      #expect(extents.map(\.vaddr) == data.map(\.vaddr))
      #expect(extents.map(\.usedBytes) == data.map(\.used))
      #expect(extents.allSatisfy { $0.map(\.start) == $0.map(\.start).sorted() })
    }
  }

  @Test("plans read while a writer fsyncs keep the extent model instead of going coarse")
  func planWhileWritten() throws {
    try withScratchFilesystem(size: "3G") { scratch in
      try populate(
        scratch,
        "for ((i = 0; i < 60; i++)); do write $M/f$i 8M; done\n"
          + "for ((i = 0; i < 60; i += 2)); do rm $M/f$i; done\nwrite $M/hot 64M")
      // Random fsync'd 4 KiB writes into one file: every write frees an extent and allocates
      // one, and the block groups' items catch up only when a transaction commits.
      let writer = Process()
      writer.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
      writer.arguments = [
        "-c",
        """
        import os, random, sys, time
        fd = os.open(sys.argv[1], os.O_WRONLY)
        end = time.time() + 20
        while time.time() < end:
            os.pwrite(fd, os.urandom(4096), random.randrange(16384) * 4096)
            os.fsync(fd)
        """,
        scratch.mountpoint + "/hot",
      ]
      try writer.run()
      defer {
        // SIGKILL: a child inherits ignored signals, and SIGTERM may be ignored in this process.
        kill(writer.processIdentifier, SIGKILL)
        writer.waitUntilExit()
      }
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      var drifted = 0
      for _ in 0..<8 {
        let layout = try fileSystem.detailedLayout()
        let planned = try plan(layout)
        #expect(!planned.notes.contains { $0.contains("coarser") }, "\(planned.notes)")
        if layout.extents.map({ extents in
          zip(extents, layout.blockGroups.filter { $0.type == .data }).contains {
            $0.usedBytes != $1.used
          }
        }) == true {
          drifted += 1
          #expect(planned.notes.contains { $0.contains("changed while the layout was read") })
        }
        Thread.sleep(forTimeInterval: 0.25)
      }
      #expect(writer.isRunning, "the writer wrote throughout")
      print("plans while written: \(drifted) of 8 layouts read between two states")
    }
  }

  @Test("a light block group of small extents among medium ones: nothing promised, nothing gained")
  func lightGroupAmongFullOnes() throws {
    try withScratchFilesystem(size: "3G") { scratch in
      try populate(
        scratch,
        """
        for ((i = 0; i < 760; i++)); do write $M/f$i 1M; done
        btrfs filesystem sync $M
        for ((i = 0; i < 20; i++)); do write $M/s$i 64K; done
        btrfs filesystem sync $M
        for ((i = 760; i < 860; i++)); do write $M/f$i 1M; done
        btrfs filesystem sync $M
        for ((i = 0; i < 20; i += 2)); do rm $M/s$i; done
        """)
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      let layout = try fileSystem.detailedLayout()
      let planned = try plan(layout)
      #expect(planned.operations.isEmpty, "\(planned.rules[0].explanation)")
      #expect(planned.rules[0].skippedBlockGroups > 0)
      // A bytes-only prediction promises a chunk; the kernel, as the model says, gains nothing.
      var coarse = layout
      coarse.extents = nil
      #expect(try plan(coarse).outcome.unallocatedGained > 0)
      let light = try #require(
        layout.blockGroups.filter { $0.type == .data && $0.used > 0 }.min { $0.used < $1.used })
      let predicted = try SimulatedFilesystem(layout: layout)
      _ = try predicted.startBalance(.relocating(light))
      _ = try fileSystem.startBalance(.relocating(light))
      try shell("btrfs", "filesystem", "sync", scratch.mountpoint)
      let after = try fileSystem.layout()
      #expect(after.unallocatedBytes <= layout.unallocatedBytes)
      #expect(predicted.currentLayout.unallocatedBytes == after.unallocatedBytes)
    }
  }

  @Test("a light block group whose extents fit the holes: the run gains what the plan promised")
  func extentsThatFit() throws {
    try withScratchFilesystem(size: "3G") { scratch in
      try populate(
        scratch,
        """
        for ((i = 0; i < 64; i++)); do write $M/f$i 8M; done
        btrfs filesystem sync $M
        for ((i = 1; i < 64; i += 5)); do rm $M/f$i; done
        for ((i = 32; i < 64; i++)); do [ $(( i % 4 )) = 0 ] || rm -f $M/f$i; done
        """)
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      let planned = try plan(try fileSystem.detailedLayout())
      #expect(!planned.operations.isEmpty)
      let run = try StewardRun(
        scratch,
        policy: """
          version: 1
          name: model
          rules:
            - name: least-used
              select: { type: data, usage-below: 50% }
          """)
      let before = try fileSystem.layout()
      let result = try run.run()
      #expect(result.status == 0, "\(result.standardError)")
      try shell("btrfs", "filesystem", "sync", scratch.mountpoint)
      let after = try fileSystem.layout()
      let history = try #require(JournalReplay.runs(try run.records()).last)
      let gained = Int64(after.unallocatedBytes) - Int64(before.unallocatedBytes)
      #expect(gained == history.plan.outcome.unallocatedGained)
      #expect(gained > 0)
    }
  }
}
