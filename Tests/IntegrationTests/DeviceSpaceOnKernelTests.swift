import Btrfs
import Foundation
import Steward
import Testing

@Suite(
  "Per-device space on real multi-device filesystems", .serialized,
  .enabled(if: IntegrationEnvironment.shouldRun))
struct DeviceSpaceOnKernelTests {
  @Test(
    "usage --json on a 3-device raid1 of unequal sizes agrees with btrfs filesystem usage -b per device, and with python-btrfs on what is unallocatable"
  )
  func raid1OfUnequalDevices() throws {
    try withMultiDeviceFilesystem(
      sizes: ["1G", "1G", "3G"], mkfsArguments: ["-d", "raid1", "-m", "raid1"]
    ) { fs in
      try fs.write("a", megabytes: 700)
      let result = try steward(["usage", "--json", fs.mountpoint])
      #expect(result.status == 0, "\(result.standardError)")
      let report = try JSONDecoder().decode(
        UsageReport.self, from: Data(result.standardOutput.utf8))
      let truth = try BtrfsProgs.deviceUsage(mountpoint: fs.mountpoint)
      let python = try BtrfsProgs.pythonBtrfsUnallocatable(mountpoint: fs.mountpoint)
      #expect(report.deviceSpace.devices.count == 3)
      for device in report.deviceSpace.devices {
        let expected = try #require(truth[device.path], "\(device.path) not in \(truth)")
        #expect(device.sizeBytes == expected.size)
        #expect(device.unallocatedBytes == expected.unallocated)
        #expect(device.allocatedBytes == device.sizeBytes - expected.unallocated)
        let allocations = Dictionary(
          uniqueKeysWithValues: device.allocations.map {
            ("\($0.type.displayName),\($0.profile.displayName)", $0.bytes)
          })
        #expect(allocations == expected.allocations)
        let (soft, hard) = try #require(python[device.devid])
        #expect(device.unallocatableSoftBytes == soft, "device \(device.devid)")
        #expect(device.unallocatableHardBytes == hard, "device \(device.devid)")
      }
      // 1 + 1 + 3 GiB in raid1: at least 1 GiB of the large device can never be mirrored.
      let large = try #require(report.deviceSpace.devices.first { $0.sizeBytes == 3 << 30 })
      #expect(large.unallocatableHardBytes >= 1 << 30)
      // raid1 chunks alone could take as much as the two smaller devices' unallocated space.
      let raid1 = try #require(report.deviceSpace.allocatable.first { $0.profile == .raid1 })
      let smaller = report.deviceSpace.devices.filter { $0.sizeBytes == 1 << 30 }
      #expect(raid1.bytes <= smaller.reduce(0) { $0 + $1.unallocatedBytes })
      #expect(raid1.bytes + (64 << 20) >= smaller.reduce(0) { $0 + $1.unallocatedBytes })

      let text = try steward(["usage", fs.mountpoint])
      #expect(text.status == 0)
      for device in fs.loopDevices { #expect(text.standardOutput.contains(device)) }
      #expect(text.standardOutput.contains("never usable because of device sizes"))

      let run = try StewardRun(fs, policy: Self.compaction)
      let status = try steward(run.control("status", ["--json"]))
      let statusReport = try JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8))
      let statusFilesystem = try #require(
        ((statusReport as? [String: Any])?["filesystems"] as? [[String: Any]])?.first)
      let statusDevices = try #require(
        (statusFilesystem["deviceSpace"] as? [String: Any])?["devices"] as? [[String: Any]])
      #expect(
        statusDevices.compactMap { $0["unallocatedBytes"] as? UInt64 }
          == report.deviceSpace.devices.map(\.unallocatedBytes))
      let plan = try steward(["plan", "--policy", run.policyPath, "--json", fs.mountpoint])
      #expect(plan.status == 0, "\(plan.standardError)")
      let decoded = try JSONCoding.decoder().decode(Plan.self, from: Data(plan.standardOutput.utf8))
      let predicted = try #require(decoded.outcome.devices)
      #expect(
        predicted.map(\.unallocatedBeforeBytes)
          == report.deviceSpace.devices.map(\.unallocatedBytes))
    }
  }

  static let compaction = """
    version: 1
    name: compaction
    rules:
      - name: compact
        select:
          type: data
          usage-below: 95%
    """
}
