import Btrfs
import Foundation
import Testing

@testable import Steward

@Suite("Planning the spreading of block groups over devices")
struct SpreadingPlanningTests {
  private let mib = SimulationFixtures.mib

  private func policy(_ rule: String) throws -> Policy {
    try PolicyLoader().load(
      yaml: "version: 1\nname: s\nrules:\n  - name: spread\n    select: { type: data }\n" + rule,
      file: "s.yaml")
  }

  /// Six full data block groups on one device, and an empty device of the same size added.
  private var addedDevice: Layout {
    var layout = SimulationFixtures.layout(
      [
        .data(250, of: 256), .data(250, of: 256), .data(250, of: 256), .data(250, of: 256),
        .data(250, of: 256), .data(250, of: 256), .metadata(10, of: 256),
      ],
      devices: 1, unallocated: 512, chunkSizes: [.data: 256])
    layout.devices.append(
      DeviceInfo(
        devid: 2, uuid: "", path: "/dev/new", totalBytes: layout.devices[0].totalBytes,
        allocatedBytes: 0))
    return layout
  }

  @Test("block groups move off the full device until the devices are within the margin")
  func spreadsUntilEven() throws {
    let plan = try Planner(policy: policy("    spread-within: 256MiB\n"), policyDigest: "d").plan(
      for: addedDevice, at: Date())
    let report = try #require(plan.rules.first)
    #expect(report.verdict == .goalReached, "\(report.explanation)")
    #expect(plan.operations.count >= 2)
    let devices = try #require(plan.outcome.devices)
    let after = devices.map(\.unallocatedAfterBytes)
    #expect(after.max()! - after.min()! <= 256 * mib)
    #expect(devices.map(\.unallocatedBeforeBytes) == [512 * mib, 2560 * mib])
  }

  @Test("max-block-groups bounds a spreading rule; already even devices need nothing")
  func boundsAndNothingToDo() throws {
    let bounded = try Planner(
      policy: policy("    spread-within: 256MiB\n    max-block-groups: 1\n"), policyDigest: "d"
    ).plan(for: addedDevice, at: Date())
    #expect(bounded.operations.count == 1)
    #expect(bounded.rules.first?.verdict == .maxBlockGroups)
    let even = SimulationFixtures.layout([.data(100), .data(100)], devices: 2, unallocated: 512)
    let nothing = try Planner(policy: policy("    spread-within: 1GiB\n"), policyDigest: "d").plan(
      for: even, at: Date())
    #expect(nothing.operations.isEmpty)
    #expect(nothing.rules.first?.verdict == .goalReached)
  }

  @Test("spread-until-each-device-has: moves until the fullest device has the floor, no further")
  func spreadsUntilEachDeviceHas() throws {
    let plan = try Planner(
      policy: policy("    spread-until-each-device-has: 1GiB\n"), policyDigest: "d"
    ).plan(for: addedDevice, at: Date())
    let report = try #require(plan.rules.first)
    #expect(report.verdict == .goalReached, "\(report.explanation)")
    #expect(report.explanation.contains("every device has at least 1.00GiB unallocated"))
    let after = try #require(plan.outcome.devices).map(\.unallocatedAfterBytes)
    #expect(after.allSatisfy { $0 >= 1024 * mib }, "\(after)")
    // Each move of a full block group frees 256 MiB on the first device: two are enough, where
    // evening the devices out within 256 MiB takes more.
    #expect(plan.operations.count == 2)
    let even = try Planner(policy: policy("    spread-within: 256MiB\n"), policyDigest: "d").plan(
      for: addedDevice, at: Date())
    #expect(even.operations.count > plan.operations.count)
  }

  @Test(
    "a floor the devices cannot all have ends the rule when no move helps, saying which lack it")
  func floorOutOfReach() throws {
    let plan = try Planner(
      policy: policy("    spread-until-each-device-has: 2GiB\n"), policyDigest: "d"
    ).plan(for: addedDevice, at: Date())
    let report = try #require(plan.rules.first)
    #expect(report.verdict == .exhausted, "\(report.explanation)")
    #expect(report.explanation.contains("below 2.00GiB: device"))
    // It still moved what brought the devices closer to the floor.
    #expect(!plan.operations.isEmpty)
  }

  @Test("spread-within takes neither convert nor min-gain")
  func policyKey() throws {
    #expect(try policy("    spread-within: 1GiB\n").rules.first?.spreadWithin == .bytes(1 << 30))
    do {
      _ = try policy("    spread-within: 1GiB\n    convert: raid1\n")
      Issue.record("spread-within with convert was accepted")
    } catch {
      #expect("\(error)".contains("s.yaml:6:20: error: 'spread-within': a spreading rule"))
    }
  }
}
