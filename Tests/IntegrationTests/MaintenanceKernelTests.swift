import Btrfs
import Foundation
import Steward
import Testing

@Suite(
  "Scrub, device statistics and trim on a real btrfs filesystem", .serialized,
  .enabled(if: IntegrationEnvironment.shouldRun))
struct MaintenanceKernelTests {
  @Test("scrubbing a device extent at a time adds up to one scrub of the whole device")
  func extentByExtentEqualsWhole() throws {
    try withScratchFilesystem(size: "3G") { scratch in
      try scratch.fragment(fileCount: 40, fileSize: 16 << 20, seed: 3)
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      let whole = try fileSystem.scrub(devid: 1, physicalRange: 0..<UInt64.max)
      guard case .finished(let total) = whole else {
        Issue.record("expected a finished scrub, got \(whole)")
        return
      }
      #expect(total.dataBytes > 300 << 20)
      #expect(total.treeBytes > 0)
      #expect(total.errorsFound == 0 && total.uncorrectableErrors == 0)
      let extents = try fileSystem.deviceExtents(devid: 1)
      #expect(extents.count >= 3)
      #expect(zip(extents, extents.dropFirst()).allSatisfy { $0.end <= $1.physical })
      var sum = ScrubCounters()
      for extent in extents {
        let outcome = try fileSystem.scrub(
          devid: 1, physicalRange: extent.physical..<(extent.physical + 1))
        guard case .finished(let counters) = outcome else {
          Issue.record("expected a finished scrub of \(extent), got \(outcome)")
          return
        }
        #expect(counters.lastPhysical <= extent.end)
        sum = sum.adding(counters)
      }
      #expect(sum.dataBytes == total.dataBytes)
      #expect(sum.treeBytes == total.treeBytes)
      #expect(sum.dataExtents == total.dataExtents)
      #expect(try fileSystem.scrubProgress(devid: 1) == nil)
    }
  }

  @Test("a throttled scrub shows progress, is cancelled, and refuses a second start meanwhile")
  func progressAndCancel() throws {
    try withScratchFilesystem(size: "3G") { scratch in
      try scratch.fragment(fileCount: 40, fileSize: 16 << 20, seed: 4)
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      let sysfs = try fileSystem.sysfs()
      let original = try #require(sysfs.scrubSpeedLimit(devid: 1))
      try sysfs.setScrubSpeedLimit(devid: 1, bytesPerSecond: 8 << 20)
      defer { try? sysfs.setScrubSpeedLimit(devid: 1, bytesPerSecond: original) }
      #expect(sysfs.scrubSpeedLimit(devid: 1) == 8 << 20)
      let started = runInBackground {
        try fileSystem.scrub(devid: 1, physicalRange: 0..<UInt64.max, readOnly: true)
      }
      let running = try poll("scrub progress", timeout: 30, interval: 0.01) {
        try fileSystem.scrubProgress(devid: 1).flatMap { $0.dataBytes > 0 ? $0 : nil }
      }
      #expect(running.dataBytes < 300 << 20)
      #expect(throws: BtrfsError.scrubInProgress(path: scratch.mountpoint, devid: 1)) {
        try fileSystem.scrub(devid: 1, physicalRange: 0..<UInt64.max)
      }
      try fileSystem.cancelScrub()
      let outcome = try started.value()
      guard case .cancelled(let counters) = outcome else {
        Issue.record("expected a cancelled scrub, got \(outcome)")
        return
      }
      #expect(counters.dataBytes >= running.dataBytes)
      #expect(counters.lastPhysical > 0)
      #expect(try fileSystem.scrubProgress(devid: 1) == nil)
      #expect(throws: BtrfsError.noScrub(path: scratch.mountpoint)) {
        try fileSystem.cancelScrub()
      }
      #expect(throws: BtrfsError.noSuchDevice(path: scratch.mountpoint, devid: 9)) {
        try fileSystem.scrub(devid: 9, physicalRange: 0..<UInt64.max)
      }
    }
  }

  @Test("raid1: blocks corrupted on one device are found and repaired; its counters rise")
  func corruptionRepaired() throws {
    try withMirroredScratch { scratch in
      try scratch.writeFile("victim", count: 8 << 20)
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      #expect(try fileSystem.deviceStats(devid: 1) == DeviceStats())
      #expect(try fileSystem.deviceStats(devid: 2) == DeviceStats())
      let physical = try scratch.physicalOffset(ofFile: "victim", devid: 1)
      try scratch.corrupt(devid: 1, physical: physical, count: 64 << 10)
      let first = try fileSystem.scrub(devid: 1, physicalRange: 0..<UInt64.max)
      #expect(first.counters.checksumErrors == 16)
      #expect(first.counters.correctedErrors == 16)
      #expect(first.counters.uncorrectableErrors == 0)
      let stats = try fileSystem.deviceStats(devid: 1)
      #expect(stats.corruptionErrors == 16)
      #expect(try fileSystem.deviceStats(devid: 2) == DeviceStats())
      // Repaired on disk: a second scrub finds nothing, and the counters stay where they were.
      let second = try fileSystem.scrub(devid: 1, physicalRange: 0..<UInt64.max)
      #expect(second.counters.errorsFound == 0)
      #expect(try fileSystem.deviceStats(devid: 1) == stats)
    }
  }

  @Test("FITRIM discards free space and reports how much")
  func trim() throws {
    try withScratchFilesystem { scratch in
      try scratch.fragment(fileCount: 10, fileSize: 16 << 20, seed: 2)
      let trimmed = try FileSystem(path: scratch.mountpoint).trim()
      #expect(trimmed > 512 << 20)
    }
  }
}
