import Btrfs

/// The in-memory model behind ``SimulatedFilesystem`` and the ``Planner``: the block groups of a
/// layout, which of them are gone, how full each is now, and how much of every device is allocated.
///
/// The layout it starts from is never copied per change: block groups live in one array (the
/// layout's, then those the model creates, all in ascending logical address), with a liveness flag
/// each, and every type-and-profile pool keeps its members and a cursor to its first group with free
/// space, so a relocation costs time in proportion to the groups it fills, not to the layout.
struct SimulatedSpace {
  /// The layout the model started from.
  let base: Layout
  /// Every block group the model has known, in ascending logical address: the layout's first.
  var groups: [BlockGroup]
  /// Whether each block group of ``groups`` still exists.
  var isAlive: [Bool]
  /// The chunks of the block groups the model created, parallel to `groups[base.blockGroups.count...]`.
  var createdChunks: [Chunk] = []
  /// How many block groups exist now.
  var liveCount: Int
  /// The pools, one per type and profile (a handful: found by a scan, not hashed).
  var pools: [Pool] = []
  /// Every device's size and allocation now.
  var devices: [SimulatedDevice]
  /// The logical address the next created block group gets: past every block group the model knew.
  var nextVaddr: UInt64 { groups.last?.end ?? 0 }
  /// Whether ``devices`` know where the layout's stripes end (found on the first allocation).
  var knowsStripeEnds = false
  /// Per block group of ``groups``, its extents and holes for data and mixed block groups, when the
  /// layout carries them (see ``ExtentPlacement``); empty when it does not, and relocations are
  /// then modelled by bytes alone.
  var placements: [ExtentPlacement?] = []

  /// A model of `layout`, which must be valid (see ``Layout/validate()``).
  init(layout: Layout) {
    base = layout
    groups = layout.blockGroups
    isAlive = Array(repeating: true, count: layout.blockGroups.count)
    liveCount = layout.blockGroups.count
    devices = layout.devices.map(SimulatedDevice.init)
    placements = Self.placements(of: layout) ?? []
    // Where the extents and a block group's used bytes differ (``Layout/extentDrift``), the model
    // takes the extents, so that its holes and its bytes agree.
    for (index, placement) in placements.enumerated() {
      if let placement { groups[index].used = placement.usedBytes }
    }
    var lastKey: BlockGroupFlags?
    var lastPool = 0
    for (index, group) in groups.enumerated() {
      let key = Pool.key(group.flags)
      if key != lastKey {
        lastPool = pool(for: key)
        lastKey = key
      }
      pools[lastPool].add(index, group)
    }
    for index in pools.indices { pools[index].markInitial() }
  }

  /// The index of the pool of `key`, created empty when there is none yet.
  mutating func pool(for key: BlockGroupFlags) -> Int {
    if let index = poolIndex(key) { return index }
    pools.append(Pool(key: key))
    return pools.count - 1
  }

  /// The index in ``pools`` of the pool of `key`, if there is one.
  func poolIndex(_ key: BlockGroupFlags) -> Int? {
    pools.firstIndex { $0.key == key }
  }

  /// The logical length of a new chunk of `key`'s type: the kernel's configured chunk size when the
  /// layout has it, else the largest existing chunk of the type, else the kernel's default; never
  /// more than 10% of the filesystem, as the kernel caps it (``newChunks(holding:pool:)`` then
  /// rounds each stripe up to 16 MiB, as the kernel does).
  func chunkLength(for key: BlockGroupFlags) -> UInt64 {
    let type = key.type
    let largest = pools.filter { $0.key.type == type }.map(\.largestLength).max() ?? 0
    let wanted: UInt64
    if let configured = base.chunkSizes[type], configured > 0 {
      wanted = configured
    } else if largest > 0 {
      wanted = largest
    } else {
      switch type {
      case .data, .mixed: wanted = 1 << 30
      case .metadata: wanted = 256 << 20
      case .system: wanted = 32 << 20
      }
    }
    return min(wanted, max(base.totalBytes / 10, Self.stripeAlignment))
  }

  /// Unallocated bytes over all devices now.
  var unallocatedBytes: UInt64 { devices.reduce(0) { $0 + $1.unallocatedBytes } }

  /// The chunk of the block group at `index`.
  func chunk(_ index: Int) -> Chunk {
    index < base.chunks.count ? base.chunks[index] : createdChunks[index - base.chunks.count]
  }

  /// The index of the block group at exactly `vaddr` (alive or not), if the model ever knew one.
  func index(of vaddr: UInt64) -> Int? {
    let index = firstIndex(endingAfter: vaddr)
    return index < groups.count && groups[index].vaddr == vaddr ? index : nil
  }

  /// The index of the first block group that ends after `vaddr` (``groups``'s count when none does).
  func firstIndex(endingAfter vaddr: UInt64) -> Int {
    var low = 0
    var high = groups.count
    while low < high {
      let middle = (low + high) / 2
      if groups[middle].end <= vaddr { low = middle + 1 } else { high = middle }
    }
    return low
  }

  /// The block group at exactly `vaddr`, if it exists now.
  func blockGroup(at vaddr: UInt64) -> BlockGroup? {
    index(of: vaddr).flatMap { isAlive[$0] ? groups[$0] : nil }
  }

  /// Appends a block group the model created, with its chunk, and charges its stripes to devices.
  mutating func append(_ chunk: Chunk) -> Int {
    let group = BlockGroup(vaddr: chunk.vaddr, length: chunk.length, used: 0, flags: chunk.flags)
    groups.append(group)
    isAlive.append(true)
    createdChunks.append(chunk)
    liveCount += 1
    let stripeLength = chunk.stripeLength
    for stripe in chunk.stripes {
      devices[deviceIndex(stripe.devid)].allocate(stripeLength, at: stripe.offset)
    }
    let index = groups.count - 1
    pools[pool(for: Pool.key(chunk.flags))].add(index, group)
    if hasExtentDetail {
      placements.append(
        group.type == .data || group.type == .mixed
          ? ExtentPlacement(
            emptyAt: group.vaddr, length: group.length, usesSizeClasses: group.type == .data)
          : nil)
    }
    return index
  }

  /// Removes the block group at `index` (its used bytes must have gone elsewhere first, or it is
  /// empty) and returns its device space to unallocated.
  mutating func remove(_ index: Int) {
    let group = groups[index]
    isAlive[index] = false
    liveCount -= 1
    pools[poolIndex(Pool.key(group.flags))!].remove(group)
    // On one device every stripe is on that device: its raw size is all there is to release.
    if devices.count == 1 {
      devices[0].release(rawBytes(index))
      return
    }
    let chunk = chunk(index)
    let stripeLength = chunk.stripeLength
    for stripe in chunk.stripes {
      devices[deviceIndex(stripe.devid)].release(stripeLength)
    }
  }

  /// The index in ``devices`` of `devid` (validated layouts only reference listed devices).
  func deviceIndex(_ devid: UInt64) -> Int {
    devices.firstIndex { $0.devid == devid }!
  }

  /// Raw device bytes the chunk of the block group at `index` takes. When its profile fixes the
  /// number of stripes (checked by ``Layout/validate()``), each as long as the chunk, that follows
  /// from the block group alone: the chunk, which a plan of a million block groups would fetch
  /// from far in memory, is not needed.
  func rawBytes(_ index: Int) -> UInt64 {
    let group = groups[index]
    if let stripes = group.profile.fixedStripeCount { return group.length * UInt64(stripes) }
    return chunk(index).rawBytes
  }
}
