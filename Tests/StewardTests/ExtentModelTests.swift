import Btrfs
import Foundation
import Testing

@testable import Steward

/// The extent-level relocation model, on layouts shaped like the loop-device experiments recorded
/// in docs/relocation-model.md.
@Suite("Extent-level relocation model")
struct ExtentModelTests {
  typealias F = SimulationFixtures
  static let kib: UInt64 = 1 << 10

  /// A layout of 256 MiB single data block groups, one per entry of `groups`, whose pieces are in
  /// KiB: a positive piece is an extent, a negative one a hole; the rest of the block group is
  /// free. One metadata block group comes last; `unallocated` MiB are left.
  static func layout(_ groups: [[Int]], unallocated: UInt64 = 2048) -> Layout {
    let used = groups.map { pieces in UInt64(pieces.filter { $0 > 0 }.reduce(0, +)) * kib }
    var layout = F.layout(
      used.map { _ in F.Group(type: .data, length: 256, used: 0) } + [.metadata(64)],
      unallocated: unallocated, chunkSizes: [.data: 256])
    var extents: [BlockGroupExtents] = []
    for (index, pieces) in groups.enumerated() {
      layout.blockGroups[index].used = used[index]
      var cursor = layout.blockGroups[index].vaddr
      var starts: [UInt64] = []
      var lengths: [UInt64] = []
      for piece in pieces {
        let length = UInt64(abs(piece)) * kib
        if piece > 0 {
          starts.append(cursor)
          lengths.append(length)
        }
        cursor += length
      }
      extents.append(
        BlockGroupExtents(vaddr: layout.blockGroups[index].vaddr, starts: starts, lengths: lengths))
    }
    layout.extents = extents
    return layout
  }

  /// `count` extents of `kib` KiB each.
  static func run(_ count: Int, _ kib: Int) -> [Int] { Array(repeating: kib, count: count) }

  private func plan(_ layout: Layout, minGain: SpaceAmount? = nil) throws -> Plan {
    let rule = Rule(
      name: "r", select: Selection(type: .data, usageBelow: 50), minGain: minGain)
    let policy = Policy(
      name: "test", windows: [], timeZone: TimeZone(identifier: "UTC")!, limits: Limits(),
      rules: [rule])
    return try Planner(policy: policy, policyDigest: PolicyDigest.of(Array("test".utf8)))
      .plan(for: layout, at: Date(timeIntervalSince1970: 1_735_689_600))
  }

  @Test("size classes: up to 128 KiB small, up to 8 MiB medium, larger large")
  func sizeClasses() {
    #expect(SizeClass(extentLength: 4096) == .small)
    #expect(SizeClass(extentLength: 128 << 10) == .small)
    #expect(SizeClass(extentLength: (128 << 10) + 4096) == .medium)
    #expect(SizeClass(extentLength: 8 << 20) == .medium)
    #expect(SizeClass(extentLength: (8 << 20) + 4096) == .large)
  }

  @Test("a block group's class is the smallest of five sampled extents; none when empty")
  func sampledClass() {
    let layout = Self.layout([Self.run(200, 1024) + [64] + Self.run(50, 1024), [], [-1024, 512]])
    let space = SimulatedSpace(layout: layout)
    #expect(space.placements[0]?.sizeClass == .medium)
    #expect(space.placements[1]?.sizeClass == SizeClass.none)
    #expect(space.placements[2]?.sizeClass == .medium)
  }

  @Test("a light block group of small extents among medium ones gets a new chunk: no gain")
  func lightSmallGroup() throws {
    // Experiment 1: three full groups of 1 MiB extents, one holding a single 56 KiB extent, and
    // one of 125 MiB of 1 MiB extents. The kernel moved the 56 KiB extent into a new chunk.
    let full = Self.run(255, 1024)
    let layout = Self.layout([full, full, full, [56], Self.run(125, 1024)])
    var space = SimulatedSpace(layout: layout)
    var batch = RelocationBatch(soleMember: 3, in: space)
    let chunks = try space.relocate(3, to: .single, in: &batch)
    #expect(chunks == 1)
    #expect(space.unallocatedBytes == layout.unallocatedBytes)
    // Relocating the medium group then also needs a new chunk: the new one took the small class.
    var second = RelocationBatch(soleMember: 4, in: space)
    #expect(try space.relocate(4, to: .single, in: &second) == 1)
    #expect(space.unallocatedBytes == layout.unallocatedBytes)
    let planned = try plan(layout)
    #expect(planned.operations.isEmpty)
    #expect(planned.rules[0].skippedBlockGroups == 2)
    #expect(planned.rules[0].explanation.contains("would regain no unallocated space"))
  }

  @Test("extents fill the holes that fit, in ascending address; the rest goes to a new chunk")
  func holesThenChunk() throws {
    // Experiment 3: 1 MiB holes (30 between extents, one at the end of each full group) take 32
    // extents, the other 93 a new chunk.
    var first: [Int] = []
    for _ in 0..<30 { first += [-1024, 1024] }
    first += Self.run(195, 1024)
    let full = Self.run(255, 1024)
    let layout = Self.layout([first, full, [56], Self.run(125, 1024)])
    var space = SimulatedSpace(layout: layout)
    var batch = RelocationBatch(soleMember: 3, in: space)
    #expect(try space.relocate(3, to: .single, in: &batch) == 1)
    let data = space.layout.blockGroups.filter { $0.type == .data }
    #expect(data.map { $0.used / F.mib } == [256, 256, 0, 93])
  }

  @Test("a relocation whose extents all fit elsewhere gains its chunk; half-filled holes do not")
  func fitsOrNot() throws {
    // 8 MiB extents: holes of 4 MiB hold none of them even though they add up to enough.
    var holey: [Int] = []
    for _ in 0..<20 { holey += [-4096, 8192] }
    let layout = Self.layout([holey, Self.run(4, 8192)])
    let planned = try plan(layout)
    #expect(planned.operations.isEmpty)
    var roomy: [Int] = []
    for _ in 0..<5 { roomy += [-8192, 8192] }
    let second = Self.layout([roomy + Self.run(18, 8192), Self.run(4, 8192)])
    let fits = try plan(second)
    #expect(fits.operations.map(\.target.vaddr) == [second.blockGroups[1].vaddr])
    #expect(fits.outcome.unallocatedGained == 256 << 20)
    #expect(fits.operations[0].effect.newChunks == 0)
  }

  @Test("another order is planned when it regains as much while moving less; the report says so")
  func orderThatMovesLess() throws {
    // B (30 %), then A (10 %), then C (55 %, not selected): in address order B's extents land in
    // A, which then moves them again; least used first, A's land in B, which moves less.
    let layout = Self.layout([Self.run(77, 1024), Self.run(25, 1024), Self.run(141, 1024)])
    let rule = Rule(name: "r", select: Selection(type: .data, usageBelow: 50), order: .vaddr)
    let policy = Policy(
      name: "test", windows: [], timeZone: TimeZone(identifier: "UTC")!, limits: Limits(),
      rules: [rule])
    let planned = try Planner(policy: policy, policyDigest: PolicyDigest.of(Array("t".utf8)))
      .plan(for: layout, at: Date(timeIntervalSince1970: 0))
    #expect(
      planned.operations.map(\.target.vaddr) == [
        layout.blockGroups[1].vaddr, layout.blockGroups[0].vaddr,
      ])
    #expect(planned.outcome.relocatedBytes == 127 << 20)
    #expect(planned.outcome.unallocatedGained == 512 << 20)
    #expect(planned.rules[0].explanation.contains("planned least-used-first rather than vaddr"))
    // The rule's own order is kept when no other does better.
    let kept = try plan(layout)
    #expect(kept.outcome.relocatedBytes == 127 << 20)
    #expect(!kept.rules[0].explanation.contains("rather than"))
  }

  @Test("an order that regains more at a higher price per byte regained is not planned")
  func orderThatRegainsMoreAtAHigherPrice() throws {
    // A (37.5 %), H (59 %, not selected), B (15.6 %), K (59 %). Least used first, B's extents land
    // in A, which is then past 50 % and stays: 256 MiB for 40 MiB moved. In address order A's land
    // in H and B's in H and K: 512 MiB, but for 136 MiB moved, more per byte regained.
    let full = Self.run(19, 8192)
    let layout = Self.layout([Self.run(12, 8192), full, Self.run(5, 8192), full])
    func planned(_ order: Order) throws -> Plan {
      let rule = Rule(name: "r", select: Selection(type: .data, usageBelow: 50), order: order)
      let policy = Policy(
        name: "test", windows: [], timeZone: TimeZone(identifier: "UTC")!, limits: Limits(),
        rules: [rule])
      return try Planner(policy: policy, policyDigest: PolicyDigest.of(Array("t".utf8)))
        .plan(for: layout, at: Date(timeIntervalSince1970: 0))
    }
    let byAddress = try planned(.vaddr)
    #expect(byAddress.outcome.unallocatedGained == 512 << 20)
    #expect(byAddress.outcome.relocatedBytes == 136 << 20)
    let leastUsed = try planned(.leastUsedFirst)
    #expect(leastUsed.operations.map(\.target.vaddr) == [layout.blockGroups[2].vaddr])
    #expect(leastUsed.outcome.unallocatedGained == 256 << 20)
    #expect(leastUsed.outcome.relocatedBytes == 40 << 20)
    #expect(!leastUsed.rules[0].explanation.contains("rather than"))
  }

  @Test("relocating a data block group while no data block group holds a byte costs a new chunk")
  func lastDataChunk() throws {
    // The kernel allocates an empty data chunk first (btrfs_may_alloc_data_chunk): relocating the
    // 8 MiB first data block group of a fresh filesystem gained -248 MiB in the corpus.
    let layout = Self.layout([[], []])
    var space = SimulatedSpace(layout: layout)
    var batch = RelocationBatch(soleMember: 0, in: space)
    #expect(try space.relocate(0, to: .single, in: &batch) == 1)
    #expect(space.unallocatedBytes == layout.unallocatedBytes)
    #expect(try plan(layout).operations.isEmpty)
    var coarse = layout
    coarse.extents = nil
    #expect(try plan(coarse).operations.isEmpty)
    // With data somewhere, an empty block group is simply freed.
    let withData = Self.layout([[], Self.run(200, 1024)])
    #expect(try plan(withData).outcome.unallocatedGained == 256 << 20)
  }

  @Test("a new chunk is sized as the kernel sizes it: 10 % of the devices, rounded up to 16 MiB")
  func chunkSize() throws {
    // A 3 GiB filesystem with the default 10 GiB data chunk size got 320 MiB data chunks.
    let layout = F.layout([.data(100, of: 256)], unallocated: 2816, chunkSizes: [.data: 10240])
    var space = SimulatedSpace(layout: layout)
    let pool = space.pool(for: BlockGroupFlags(type: .data, profile: .single))
    let chunks = try space.newChunks(holding: 1, pool: pool)
    #expect(chunks.map(\.length) == [320 << 20])
  }

  @Test("min-gain passes over operations that regain less")
  func minGain() throws {
    var roomy: [Int] = []
    for _ in 0..<5 { roomy += [-8192, 8192] }
    let layout = Self.layout([roomy + Self.run(18, 8192), Self.run(4, 8192)])
    #expect(try plan(layout, minGain: .bytes(256 << 20)).operations.count == 1)
    let strict = try plan(layout, minGain: .bytes(512 << 20))
    #expect(strict.operations.isEmpty)
    #expect(strict.rules[0].explanation.contains("less than min-gain"))
  }

  @Test("the simulated filesystem reports where extents went, and plans from it agree")
  func simulatedLayoutKeepsExtents() throws {
    var roomy: [Int] = []
    for _ in 0..<5 { roomy += [-8192, 8192] }
    let layout = Self.layout([roomy + Self.run(18, 8192), Self.run(4, 8192)])
    let filesystem = try SimulatedFilesystem(layout: layout)
    _ = try filesystem.startBalance(.relocating(layout.blockGroups[1]))
    let after = filesystem.currentLayout
    #expect(after.extents?.count == 1)
    #expect(after.extents?[0].usedBytes == after.blockGroups[0].used)
    #expect(after.blockGroups[0].used == 216 << 20)
    #expect(try plan(after).operations.isEmpty)
  }

  @Test("extents read while the filesystem was written are modelled as read, and the plan says so")
  func driftingExtents() throws {
    // 8 MiB extents fit no 4 MiB hole. Had the model gone by bytes when the block group's item
    // disagrees with its extents, it would promise to empty the second block group into the first.
    var holey: [Int] = []
    for _ in 0..<20 { holey += [-4096, 8192] }
    var layout = Self.layout([holey, Self.run(4, 8192)])
    layout.blockGroups[1].used += 4 << 20
    let planned = try plan(layout)
    #expect(planned.operations.isEmpty)
    #expect(
      planned.notes.contains {
        $0.hasPrefix("1 data block group changed while the layout was read: its extents add up to")
      })
    #expect(!planned.notes.contains { $0.contains("coarser") })
    #expect(SimulatedSpace(layout: layout).groups[1].used == 32 << 20)
    #expect(
      layout.extentDrift
        == Layout.ExtentDrift(blockGroups: 1, extentBytes: 32 << 20, usedBytes: 36 << 20))
    #expect(Self.layout([holey]).extentDrift == nil)
  }

  @Test("a layout without extents plans by bytes and says its prediction is coarser")
  func coarseLayout() throws {
    var layout = Self.layout([Self.run(20, 8192), Self.run(4, 8192)])
    layout.extents = nil
    let planned = try plan(layout)
    #expect(planned.notes.contains { $0.contains("coarser") })
    #expect(!(try plan(Self.layout([Self.run(4, 8192)])).notes.contains { $0.contains("coarser") }))
  }

  @Test("old layout files without extents still load; new ones keep them")
  func layoutFiles() throws {
    let layout = Self.layout([Self.run(4, 8192)])
    let data = try JSONCoding.encoder().encode(layout)
    #expect(try JSONCoding.decoder().decode(Layout.self, from: data) == layout)
    var old = try JSONSerialization.jsonObject(with: data) as! [String: Any]
    old.removeValue(forKey: "extents")
    let oldData = try JSONSerialization.data(withJSONObject: old)
    #expect(try JSONCoding.decoder().decode(Layout.self, from: oldData).extents == nil)
  }
}
