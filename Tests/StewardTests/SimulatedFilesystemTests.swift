import Btrfs
import Foundation
import Synchronization
import Testing

@testable import Steward

@Suite("Simulated filesystem")
struct SimulatedFilesystemTests {
  typealias F = SimulationFixtures
  let mib = SimulationFixtures.mib

  private func relocate(_ filesystem: SimulatedFilesystem, _ vaddr: UInt64) throws -> BalanceOutcome
  {
    let group = try #require(try filesystem.blockGroup(at: vaddr))
    return try filesystem.startBalance(.relocating(group))
  }

  private func checkConservation(_ before: Layout, _ after: Layout) {
    #expect(
      before.blockGroups.reduce(0) { $0 + $1.used } == after.blockGroups.reduce(0) { $0 + $1.used })
    for device in after.devices {
      #expect(device.allocatedBytes + device.unallocatedBytes == device.totalBytes)
    }
    let chunkRaw = after.chunks.reduce(UInt64(0)) {
      $0 + $1.stripeLength * UInt64($1.stripes.count)
    }
    #expect(chunkRaw == after.devices.reduce(0) { $0 + $1.allocatedBytes })
    for info in after.spaceInfo where !info.isGlobalReserve {
      let groups = after.blockGroups.filter { Pool.key($0.flags) == Pool.key(info.flags) }
      #expect(info.total == groups.reduce(0) { $0 + $1.length })
      #expect(info.used == groups.reduce(0) { $0 + $1.used })
    }
    #expect(after.blockGroups.map(\.vaddr) == after.chunks.map(\.vaddr))
  }

  @Test("relocation fills other block groups of the type in address order")
  func fillsOthersInOrder() throws {
    let layout = F.layout(
      [.data(900), .data(100), .data(500), .data(700), .metadata(100)], unallocated: 0)
    let filesystem = try SimulatedFilesystem(layout: layout)
    let outcome = try relocate(filesystem, layout.blockGroups[2].vaddr)
    #expect(outcome == .completed(BalanceStatistics(expected: 1, considered: 1, completed: 1)))
    let after = filesystem.currentLayout
    #expect(F.dataUsed(after) == [1024, 476, 700])
    #expect(after.unallocatedBytes == layout.unallocatedBytes + 1024 * mib)
    #expect(try filesystem.blockGroup(at: layout.blockGroups[2].vaddr) == nil)
    checkConservation(layout, after)
  }

  @Test("relocation allocates a new chunk past the highest address when others are full")
  func allocatesNewChunks() throws {
    let layout = F.layout([.data(1000), .data(600), .data(1024)], unallocated: 8192)
    let filesystem = try SimulatedFilesystem(layout: layout)
    _ = try relocate(filesystem, layout.blockGroups[2].vaddr)
    let after = filesystem.currentLayout
    #expect(F.dataUsed(after) == [1024, 1024, 576])
    let created = try #require(after.blockGroups.last)
    #expect(created.vaddr == layout.blockGroups.last!.end)
    #expect(created.length == 1024 * mib)
    #expect(after.unallocatedBytes == layout.unallocatedBytes)
    checkConservation(layout, after)
  }

  @Test("DUP chunks take twice their length from one device")
  func dupTakesTwice() throws {
    let layout = F.layout([.metadata(250), .metadata(200)], unallocated: 8192)
    let filesystem = try SimulatedFilesystem(layout: layout)
    _ = try filesystem.startBalance(BalanceArguments(metadata: BalanceFilter()))
    let after = filesystem.currentLayout
    #expect(after.blockGroups.map { $0.used / mib } == [256, 194])
    #expect(after.chunks.allSatisfy { $0.stripes.count == 2 })
    #expect(after.unallocatedBytes == layout.unallocatedBytes)
    checkConservation(layout, after)
  }

  @Test("RAID1 chunks go to the two devices with the most unallocated space")
  func raid1PicksRoomiestDevices() throws {
    let layout = F.layout(
      [.data(1024, of: 1024, .raid1), .data(512, of: 1024, .raid1)], devices: 3, unallocated: 4096)
    let filesystem = try SimulatedFilesystem(layout: layout)
    _ = try relocate(filesystem, layout.blockGroups[1].vaddr)
    let after = filesystem.currentLayout
    let created = try #require(after.chunks.last)
    #expect(created.vaddr > layout.blockGroups.last!.vaddr)
    #expect(Set(created.stripes.map(\.devid)).count == 2)
    checkConservation(layout, after)
  }

  @Test("a usage filter relocates every matching block group, none into another")
  func usageFilter() throws {
    let layout = F.layout([.data(1000), .data(100), .data(200), .data(24)], unallocated: 1024)
    let filesystem = try SimulatedFilesystem(layout: layout)
    let outcome = try filesystem.startBalance(
      BalanceArguments(data: BalanceFilter(usage: .below(25))))
    #expect(outcome.statistics.completed == 3)
    let after = filesystem.currentLayout
    #expect(F.dataUsed(after) == [1024, 300])
    // The new chunk is capped at 10% of the 5 GiB filesystem, as the kernel caps it.
    #expect(after.unallocatedBytes == (1024 + 3 * 1024 - 512) * mib)
    checkConservation(layout, after)
  }

  @Test("limit and profiles filters narrow the selection")
  func limitAndProfiles() throws {
    let layout = F.layout([.data(10), .data(10), .data(10), .metadata(10)], unallocated: 0)
    let filesystem = try SimulatedFilesystem(layout: layout)
    let outcome = try filesystem.startBalance(
      BalanceArguments(
        data: BalanceFilter(profiles: [.single], limit: .count(2)),
        metadata: BalanceFilter(profiles: [.raid1])))
    #expect(outcome.statistics.completed == 2)
    #expect(F.dataUsed(filesystem.currentLayout) == [30])
  }

  @Test("ENOSPC when the bytes fit neither elsewhere nor in unallocated space; nothing changes")
  func noSpace() throws {
    let layout = F.layout([.data(1000), .data(600)], unallocated: 0)
    let filesystem = try SimulatedFilesystem(layout: layout)
    #expect(throws: BtrfsError.noSpace(path: "simulated:\(layout.fsid)")) {
      try relocate(filesystem, layout.blockGroups[1].vaddr)
    }
    #expect(filesystem.currentLayout == layout)
    #expect(try filesystem.balanceProgress() == nil)
  }

  @Test("an empty block group simply disappears")
  func emptyGroup() throws {
    let layout = F.layout([.data(0), .data(1024)], unallocated: 0)
    let filesystem = try SimulatedFilesystem(layout: layout)
    _ = try relocate(filesystem, layout.blockGroups[1].vaddr)
    #expect(filesystem.currentLayout.blockGroups.count == layout.blockGroups.count - 1)
  }

  @Test("a pause asked for from another thread stops the balance between block groups")
  func pauseBetweenBlockGroups() async throws {
    let layout = F.layout([.data(1000), .data(1), .data(2), .data(3), .data(4)], unallocated: 0)
    let relocations = Atomic<Int>(0)
    let box = FilesystemBox()
    let filesystem = try SimulatedFilesystem(layout: layout) { _ in
      guard relocations.add(1, ordering: .relaxed).newValue == 2 else { return }
      let filesystem = box.filesystem!
      Thread.detachNewThread { try? filesystem.pauseBalance() }
      while (try? filesystem.balanceProgress())?.isPauseRequested != true {
        Thread.sleep(forTimeInterval: 0.001)
      }
    }
    box.filesystem = filesystem
    let arguments = BalanceArguments(data: BalanceFilter(usage: .below(10)))
    let outcome = try filesystem.startBalance(arguments)
    #expect(outcome == .paused(BalanceStatistics(expected: 4, considered: 2, completed: 2)))
    #expect(try filesystem.exclusiveOperation() == .balancePaused)
    #expect(try filesystem.balanceProgress()?.isRunning == false)
    #expect(F.dataUsed(filesystem.currentLayout) == [1003, 3, 4])
    #expect(throws: BtrfsError.balanceInProgress(path: filesystem.path)) {
      try filesystem.startBalance(arguments)
    }
    let resumed = try filesystem.resumeBalance()
    #expect(resumed == .completed(BalanceStatistics(expected: 2, considered: 2, completed: 2)))
    #expect(F.dataUsed(filesystem.currentLayout) == [1010])
    #expect(try filesystem.exclusiveOperation() == .none)
  }

  @Test("a pause during the last block group pauses the balance with that block group relocated")
  func pauseDuringLastBlockGroup() throws {
    let layout = F.layout([.data(1000), .data(1)], unallocated: 0)
    let filesystem = try pausingAtFirstBlockGroup(layout)
    let emptiest = layout.blockGroups.filter { $0.type == .data }[1]
    let outcome = try filesystem.startBalance(.relocating(emptiest))
    #expect(outcome == .paused(BalanceStatistics(expected: 1, considered: 1, completed: 1)))
    #expect(try filesystem.blockGroup(at: emptiest.vaddr) == nil)
    #expect(try filesystem.balanceProgress()?.isPaused == true)
    let resumed = try filesystem.resumeBalance()
    #expect(resumed == .completed(BalanceStatistics(expected: 0, considered: 0, completed: 0)))
    #expect(try filesystem.balanceProgress() == nil)
  }

  @Test("cancelling a paused balance forgets it")
  func cancelPaused() throws {
    let layout = F.layout([.data(1000), .data(1), .data(2)], unallocated: 0)
    let filesystem = try pausingAtFirstBlockGroup(layout)
    let outcome = try filesystem.startBalance(
      BalanceArguments(data: BalanceFilter(usage: .below(10))))
    #expect(outcome.statistics.completed == 1)
    try filesystem.cancelBalance()
    #expect(try filesystem.balanceProgress() == nil)
    #expect(throws: BtrfsError.noBalance(path: filesystem.path)) { try filesystem.resumeBalance() }
  }

  @Test("an inconsistent layout is refused")
  func inconsistentLayout() {
    var layout = F.layout([.data(1), .data(2)])
    layout.chunks.removeLast()
    #expect(throws: LayoutError.chunkMismatch(vaddr: layout.blockGroups[1].vaddr)) {
      try SimulatedFilesystem(layout: layout)
    }
    var extraStripe = F.layout([.data(1), .data(2)])
    extraStripe.chunks[1].stripes.append(extraStripe.chunks[1].stripes[0])
    let single = extraStripe.blockGroups[1]
    #expect(
      throws: LayoutError.stripeCountMismatch(vaddr: single.vaddr, profile: .single, stripes: 2)
    ) { try SimulatedFilesystem(layout: extraStripe) }
  }

  @Test("synthetic layouts are deterministic and consistent")
  func syntheticLayout() throws {
    let recipe = SyntheticLayout(dataBlockGroups: 500, dataProfile: .raid1, deviceCount: 3, seed: 7)
    let layout = recipe.layout()
    #expect(layout == recipe.layout())
    try layout.validate()
    #expect(layout.blockGroups.count == 500 + 7 + 1)
    #expect(layout.unallocatedBytes == 3 * (10 << 30))
    let filesystem = try SimulatedFilesystem(layout: layout)
    _ = try filesystem.startBalance(BalanceArguments(data: BalanceFilter(usage: .below(30))))
    checkConservation(layout, filesystem.currentLayout)
  }
}

/// A simulated filesystem of `layout` on which a pause is asked for, from another thread, just
/// before each block group of a balance is relocated (so a balance pauses after its first).
private func pausingAtFirstBlockGroup(_ layout: Layout) throws -> SimulatedFilesystem {
  let box = FilesystemBox()
  let filesystem = try SimulatedFilesystem(layout: layout) { _ in
    let filesystem = box.filesystem!
    Thread.detachNewThread { try? filesystem.pauseBalance() }
    while (try? filesystem.balanceProgress())?.isPauseRequested != true {
      Thread.sleep(forTimeInterval: 0.001)
    }
  }
  box.filesystem = filesystem
  return filesystem
}

/// Lets a relocation hook reach the filesystem it is installed in.
private final class FilesystemBox: @unchecked Sendable {
  var filesystem: SimulatedFilesystem?
}
