import Btrfs
import Foundation
import Steward
import Testing

@Suite(
  "Spreading block groups onto an added device", .serialized,
  .enabled(if: IntegrationEnvironment.shouldRun))
struct SpreadingOnKernelTests {
  @Test(
    "after adding an empty device, every device's unallocated space ends within one chunk of even")
  func spreadsOntoAddedDevice() throws {
    try withGrownFilesystem(writingMegabytes: 1200) { fs, fileSystem, before, chunk in
      #expect(before[1] > before[0] + (1 << 30), "the added device is empty: \(before)")

      let policy = """
        version: 1
        name: after-adding-a-disk
        rules:
          - name: spread-data
            select: { type: data }
            spread-within: \(chunk)B
        """
      let result = try StewardRun(fs, policy: policy).run()
      #expect(result.status == 0, "\(result.standardError)")
      let after = try fileSystem.layout().devices.map(\.unallocatedBytes)
      let mean = after.reduce(0, +) / UInt64(after.count)
      for (devid, unallocated) in after.enumerated() {
        let offEven = unallocated > mean ? unallocated - mean : mean - unallocated
        #expect(offEven <= chunk, "device \(devid + 1): \(after), one chunk \(chunk)")
      }
      #expect((after.max()! - after.min()!) < (before.max()! - before.min()!))
    }
  }

  @Test("spread-until-each-device-has: every device ends with the floor, within one chunk")
  func spreadsUntilEachDeviceHasTheFloor() throws {
    try withGrownFilesystem(writingMegabytes: 1400) { fs, fileSystem, before, chunk in
      let floor: UInt64 = 640 << 20
      #expect(before[0] < floor, "the first device is below the floor: \(before)")

      let policy = """
        version: 1
        name: after-adding-a-disk
        rules:
          - name: room-on-each
            select: { type: data }
            spread-until-each-device-has: 640MiB
        """
      let result = try StewardRun(fs, policy: policy).run()
      #expect(result.status == 0, "\(result.standardError)")
      let after = try fileSystem.layout().devices.map(\.unallocatedBytes)
      for (devid, unallocated) in after.enumerated() {
        #expect(
          unallocated + chunk >= floor, "device \(devid + 1): \(after), one chunk \(chunk)")
      }
      #expect(after[0] > before[0])
    }
  }

  /// A 2 GiB single-data filesystem with `writingMegabytes` written in files of 100 MiB, then an
  /// empty 2 GiB device added: `body` gets it, its `FileSystem`, each device's unallocated bytes
  /// after the add, and the largest data chunk.
  private func withGrownFilesystem(
    writingMegabytes: Int,
    _ body: (MultiDeviceFilesystem, FileSystem, [UInt64], UInt64) throws -> Void
  ) throws {
    try withMultiDeviceFilesystem(sizes: ["2G"], mkfsArguments: ["-d", "single", "-m", "dup"]) {
      fs in
      for index in 0..<(writingMegabytes / 100) { try fs.write("f\(index)", megabytes: 100) }
      try fs.addDevice(size: "2G")
      let fileSystem = try FileSystem(path: fs.mountpoint)
      let layout = try fileSystem.layout()
      let chunk = try #require(
        layout.blockGroups.filter { $0.type == .data }.map(\.length).max())
      try body(fs, fileSystem, layout.devices.map(\.unallocatedBytes), chunk)
    }
  }
}
