import Btrfs
import Testing

@Suite("Block-group flags")
struct BlockGroupFlagsTests {
  @Test(
    "type and profile are read from the flags word",
    arguments: [
      (UInt64(1), BlockGroupType.data, Profile.single),
      (34, .system, .dup),
      (36, .metadata, .dup),
      (1 | 16, .data, .raid1),
      (4 | 512, .metadata, .raid1c3),
      (1 | 4, .mixed, .single),
      (1 | 64, .data, .raid10),
    ])
  func typeAndProfile(raw: UInt64, type: BlockGroupType, profile: Profile) {
    let flags = BlockGroupFlags(rawValue: raw)
    #expect(flags.type == type)
    #expect(flags.profile == profile)
    #expect(BlockGroupFlags(type: type, profile: profile) == flags)
  }

  @Test("usage, free space and end of a block group")
  func blockGroupFigures() {
    let group = BlockGroup(vaddr: 1 << 30, length: 1 << 30, used: 256 << 20, flags: .data)
    #expect(group.usagePercent == 25)
    #expect(group.free == 768 << 20)
    #expect(group.end == 2 << 30)
  }

  @Test("raw space per logical byte of each profile")
  func rawFactors() {
    #expect(Profile.dup.rawBytesFactor(stripes: 2) == 2)
    #expect(Profile.raid1c3.rawBytesFactor(stripes: 3) == 3)
    #expect(Profile.raid5.rawBytesFactor(stripes: 4) == 4.0 / 3.0)
    #expect(Profile.raid6.rawBytesFactor(stripes: 4) == 2)
  }
}
