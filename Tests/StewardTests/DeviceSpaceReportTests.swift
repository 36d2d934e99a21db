import Btrfs
import Foundation
import Testing

@testable import Steward

@Suite("Per-device space and what new chunks can use of it")
struct DeviceSpaceReportTests {
  private let mib = SimulationFixtures.mib

  /// Two devices carrying raid1 data and metadata, the second `extra` MiB larger, all of it
  /// unallocated.
  private func raid1(extra: UInt64, unallocated: UInt64 = 0) -> Layout {
    var layout = SimulationFixtures.layout(
      [.data(900, .raid1), .data(300, .raid1), .metadata(10, .raid1)], devices: 2,
      unallocated: unallocated)
    layout.devices[1].totalBytes += extra * mib
    return layout
  }

  @Test(
    "raid1 with all unallocated space on one device: none of it is allocatable, and it never will be"
  )
  func raid1SpaceOnOneDevice() {
    let report = DeviceSpaceReport(raid1(extra: 500))
    #expect(report.devices.map(\.unallocatedBytes) == [0, 500 * mib])
    #expect(report.allocatable == [.init(profile: .raid1, bytes: 0)])
    #expect(report.devices.map(\.unallocatableSoftBytes) == [0, 500 * mib])
    #expect(report.devices.map(\.unallocatableHardBytes) == [0, 500 * mib])
    #expect(report.devices.map(\.reclaimableBytes) == [0, 0])
    #expect(
      report.devices[0].allocations == [
        .init(type: .data, profile: .raid1, bytes: 2048 * mib),
        .init(type: .metadata, profile: .raid1, bytes: 256 * mib),
      ])
  }

  @Test(
    "an empty device added beside a full raid1 pair: new raid1 chunks pair it with the roomier one")
  func addedDevice() {
    var layout = raid1(extra: 0, unallocated: 200)
    layout.devices.append(
      DeviceInfo(devid: 3, uuid: "", path: "/dev/new", totalBytes: 1024 * mib, allocatedBytes: 0))
    let report = DeviceSpaceReport(layout)
    // Every raid1 chunk takes the new device and one of the others: 400 MiB of mirrors at most.
    let raid1 = report.allocatable.first { $0.profile == .raid1 }!.bytes
    #expect(raid1 == 400 * mib)
    #expect(report.devices[2].allocatable == [.init(profile: .raid1, bytes: 400 * mib)])
    #expect(report.devices[2].unallocatableSoftBytes == 624 * mib)
    // From empty devices of 2504, 2504 and 1024 MiB nearly every byte can be mirrored: what the
    // chunk-by-chunk allocation leaves over is less than one chunk (a tenth of the filesystem).
    #expect(report.unallocatableHardBytes < 6032 * mib / 10)
    for device in report.devices {
      #expect(
        device.reclaimableBytes
          == device.unallocatableSoftBytes
          - min(device.unallocatableSoftBytes, device.unallocatableHardBytes))
    }
    #expect(report.devices[2].reclaimableBytes > 400 * mib)
  }

  @Test("dup on one device uses both halves of its unallocated space")
  func dupOnOneDevice() {
    let layout = SimulationFixtures.layout(
      [.data(100, .single), .metadata(10, .dup)], devices: 1, unallocated: 1000)
    let report = DeviceSpaceReport(layout)
    #expect(report.metadataProfile == .dup)
    #expect(report.unallocatableSoftBytes < 1 * mib)
    let dup = report.allocatable.first { $0.profile == .dup }!.bytes
    #expect(dup == 500 * mib)
    let single = report.allocatable.first { $0.profile == .single }!.bytes
    #expect(single == 1000 * mib)
  }

  @Test("plans carry every device's unallocated space before and after")
  func planPredictsPerDevice() throws {
    let layout = SimulationFixtures.layout(
      [.data(100), .data(100), .data(900)], devices: 2, unallocated: 0)
    let policy = try PolicyLoader().load(
      yaml:
        "version: 1\nname: t\nrules:\n  - name: r\n    select:\n      type: data\n      usage-below: 50%\n",
      file: "t.yaml")
    let plan = try Planner(policy: policy, policyDigest: PolicyDigest.of(Array("t".utf8))).plan(
      for: layout, at: Date())
    let devices = try #require(plan.outcome.devices)
    #expect(devices.map(\.devid) == [1, 2])
    #expect(
      devices.reduce(0) { $0 + $1.unallocatedAfterBytes } == plan.outcome.unallocatedAfter)
    #expect(devices.reduce(0) { $0 + $1.unallocatedBeforeBytes } == 0)
    #expect(plan.rendered().contains("Device 1 "))
  }
}
