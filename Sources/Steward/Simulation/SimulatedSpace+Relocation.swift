import Btrfs

/// The block groups one balance relocates: none of them receives bytes relocated from another, as the
/// kernel never writes into the block groups it is relocating.
///
/// A batch of one block group (every operation the planner simulates) is kept without hashing: its
/// member is held apart from the set larger batches use, and per-pool figures live in small arrays
/// indexed by pool.
struct RelocationBatch {
  /// The member of a batch of one.
  private var soleMember: Int?
  /// The members of a batch of more than one.
  private var members: Set<Int> = []
  /// Per pool index: free bytes of the batch's live members in that pool, which relocated bytes
  /// cannot use (pools past the end have none).
  private var excludedFree: [UInt64] = []
  /// Per pool index: where the next fill starts scanning (pools past the end start at 0). Members
  /// before it that are not in the batch are gone or full.
  private var scanPositions: [Int] = []

  /// A batch of the block groups at `members` in `space`.
  init(_ members: some Sequence<Int>, in space: SimulatedSpace) {
    let unique = Set(members)
    if unique.count == 1 {
      soleMember = unique.first
    } else {
      self.members = unique
    }
    for index in unique { exclude(index, in: space) }
  }

  /// A batch of the block group at `index` alone.
  init(soleMember index: Int, in space: SimulatedSpace) {
    soleMember = index
    exclude(index, in: space)
  }

  private mutating func exclude(_ index: Int, in space: SimulatedSpace) {
    let group = space.groups[index]
    let pool = space.poolIndex(Pool.key(group.flags))!
    if excludedFree.count <= pool {
      excludedFree.append(contentsOf: repeatElement(0, count: pool + 1 - excludedFree.count))
    }
    excludedFree[pool] += group.free
  }

  /// Whether the block group at `index` is (still) in the batch.
  func contains(_ index: Int) -> Bool {
    soleMember == index || (!members.isEmpty && members.contains(index))
  }

  /// Free bytes of the batch's live members in the pool at `pool`.
  func excludedFree(in pool: Int) -> UInt64 { pool < excludedFree.count ? excludedFree[pool] : 0 }

  /// Where the next fill of the pool at `pool` starts scanning.
  func scanPosition(in pool: Int) -> Int { pool < scanPositions.count ? scanPositions[pool] : 0 }

  mutating func setScanPosition(_ position: Int, in pool: Int) {
    if scanPositions.count <= pool {
      scanPositions.append(contentsOf: repeatElement(0, count: pool + 1 - scanPositions.count))
    }
    scanPositions[pool] = position
  }

  /// Forgets a member that has been relocated.
  mutating func remove(_ index: Int, free: UInt64, pool: Int) {
    if soleMember == index {
      soleMember = nil
    } else {
      members.remove(index)
    }
    if pool < excludedFree.count { excludedFree[pool] -= free }
  }
}

/// A relocation the model cannot do: the bytes do not fit in other block groups, and unallocated
/// space cannot hold the chunks they would need.
struct OutOfSpace: Error {}

extension SimulatedSpace {
  /// The chunks relocating the block group at `index` into block groups of `profile` would allocate,
  /// in order; empty when its used bytes fit in the free space of other block groups.
  mutating func chunksNeeded(
    relocating index: Int, to profile: Profile, in batch: RelocationBatch
  ) throws(OutOfSpace) -> [Chunk] {
    let group = groups[index]
    let destination = pool(for: BlockGroupFlags(type: group.type, profile: profile))
    let available = pools[destination].free - batch.excludedFree(in: destination)
    // The kernel's reserved chunk comes only when no data block group holds a byte: then `group`
    // holds none either, and needs no room beside it.
    let reserved =
      relocatesLastData(group) ? (try? newChunks(holding: 1, pool: destination)) ?? [] : []
    guard group.used > available else { return reserved }
    return reserved + (try newChunks(holding: group.used - available, pool: destination))
  }

  /// Relocates the block group at `index` like the kernel does to first order: its used bytes fill
  /// other block groups of its type and `profile` (not those of `batch`) in ascending logical
  /// address, new chunks are allocated when those are full, and then the block group is removed and
  /// its device space is unallocated again. Nothing changes when it throws.
  ///
  /// With extent detail (``hasExtentDetail``) a data or mixed block group is relocated extent by
  /// extent instead (``relocateExtents(_:to:in:)``). Returns how many chunks were allocated.
  @discardableResult
  mutating func relocate(
    _ index: Int, to profile: Profile, in batch: inout RelocationBatch
  ) throws(OutOfSpace) -> Int {
    if hasExtentDetail, placements[index] != nil {
      return try relocateExtents(index, to: profile, in: &batch)
    }
    let chunks = try chunksNeeded(relocating: index, to: profile, in: batch)
    relocate(index, to: profile, in: &batch, adding: chunks)
    return chunks.count
  }

  /// Relocates the block group at `index` as ``relocate(_:to:in:)`` does, with `chunks`: what
  /// ``chunksNeeded(relocating:to:in:)`` returned for it, for a caller that looked at them first.
  mutating func relocate(
    _ index: Int, to profile: Profile, in batch: inout RelocationBatch, adding chunks: [Chunk]
  ) {
    let group = groups[index]
    let destination = pool(for: BlockGroupFlags(type: group.type, profile: profile))
    for chunk in chunks {
      _ = append(chunk)
    }
    pour(group.used, into: destination, batch: &batch)
    batch.remove(index, free: group.free, pool: poolIndex(Pool.key(group.flags))!)
    remove(index)
  }

  /// Adds `bytes` to the pool at `pool`, filling its live block groups outside `batch` from the
  /// lowest address up. The pool must have room (see ``chunksNeeded(relocating:to:in:)``).
  private mutating func pour(_ bytes: UInt64, into pool: Int, batch: inout RelocationBatch) {
    var cursor = pools[pool].cursor
    let members = pools[pool].members
    while cursor < members.count, !isAlive[members[cursor]] || groups[members[cursor]].free == 0 {
      cursor += 1
    }
    pools[pool].cursor = cursor
    var position = max(batch.scanPosition(in: pool), cursor)
    var remaining = bytes
    while remaining > 0 {
      precondition(position < members.count, "relocated bytes overflow their pool")
      let member = members[position]
      let free = groups[member].free
      if isAlive[member], free > 0, !batch.contains(member) {
        let taken = min(free, remaining)
        groups[member].used += taken
        pools[pool].filled(taken)
        remaining -= taken
        if taken == free { position += 1 }
      } else {
        position += 1
      }
    }
    batch.setScanPosition(position, in: pool)
  }
}
