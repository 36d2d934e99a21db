import Btrfs
import Foundation

@testable import Steward

/// Small hand-made layouts for simulator and planner tests: sizes in MiB, block groups laid out in
/// the order given, chunks striped over devices in turn.
enum SimulationFixtures {
  static let mib: UInt64 = 1 << 20

  /// One block group: its type, profile, length and used bytes in MiB.
  struct Group {
    var type: BlockGroupType = .data
    var profile: Profile = .single
    var length: UInt64 = 1024
    var used: UInt64

    static func data(_ used: UInt64, of length: UInt64 = 1024, _ profile: Profile = .single)
      -> Group
    {
      Group(type: .data, profile: profile, length: length, used: used)
    }

    static func metadata(_ used: UInt64, of length: UInt64 = 256, _ profile: Profile = .dup)
      -> Group
    {
      Group(type: .metadata, profile: profile, length: length, used: used)
    }
  }

  /// A layout of `groups` on `devices` devices with `unallocated` MiB left on each.
  static func layout(
    _ groups: [Group], devices: Int = 1, unallocated: UInt64 = 0,
    chunkSizes: [BlockGroupType: UInt64] = [:]
  ) -> Layout {
    var builder = SyntheticLayoutBuilder(deviceCount: devices)
    for group in groups {
      builder.add(
        length: group.length * mib, used: group.used * mib,
        flags: BlockGroupFlags(type: group.type, profile: group.profile))
    }
    return builder.layout(
      fsid: "00000000-0000-4000-8000-000000000001", capturedAt: Date(timeIntervalSince1970: 0),
      unallocatedBytesPerDevice: unallocated * mib,
      chunkSizes: chunkSizes.mapValues { $0 * mib })
  }

  /// The used bytes of every data block group, in MiB, in address order.
  static func dataUsed(_ layout: Layout) -> [UInt64] {
    layout.blockGroups.filter { $0.type == .data }.map { $0.used / mib }
  }
}
