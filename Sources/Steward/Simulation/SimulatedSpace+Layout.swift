import Btrfs

extension SimulatedSpace {
  /// The layout as the model has it now: live block groups and their chunks, devices with their
  /// allocation, and space info carried forward from the original by each pool's change (pools that
  /// lost every block group drop out, new ones are appended, the global reserve stays).
  var layout: Layout {
    var blockGroups: [BlockGroup] = []
    var chunks: [Chunk] = []
    blockGroups.reserveCapacity(liveCount)
    chunks.reserveCapacity(liveCount)
    for index in groups.indices where isAlive[index] {
      blockGroups.append(groups[index])
      chunks.append(chunk(index))
    }
    var current = base
    current.blockGroups = blockGroups
    current.chunks = chunks
    current.devices = zip(base.devices, devices).map { device, model in
      var device = device
      device.allocatedBytes = model.allocatedBytes
      return device
    }
    current.spaceInfo = spaceInfo
    if hasExtentDetail {
      current.extents = groups.indices.compactMap { index in
        isAlive[index] ? placements[index]?.recorded(vaddr: groups[index].vaddr) : nil
      }
    }
    return current
  }

  /// Space info for the model's state now.
  private var spaceInfo: [SpaceInfo] {
    var reported = Set<Int>()
    var entries: [SpaceInfo] = []
    for entry in base.spaceInfo {
      guard !entry.isGlobalReserve, let index = poolIndex(Pool.key(entry.flags)) else {
        entries.append(entry)
        continue
      }
      reported.insert(index)
      let pool = pools[index]
      guard pool.liveCount > 0 || pool.initialTotal == 0 else { continue }
      var updated = entry
      updated.total = entry.total &+ pool.total &- pool.initialTotal
      updated.used = entry.used &+ pool.used &- pool.initialUsed
      entries.append(updated)
    }
    for (index, pool) in pools.enumerated() where !reported.contains(index) && pool.liveCount > 0 {
      entries.append(SpaceInfo(flags: pool.key, total: pool.total, used: pool.used))
    }
    return entries
  }
}
