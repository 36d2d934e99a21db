import Btrfs

extension SimulatedSpace {
  /// Whether the model places relocated data extent by extent (the layout carried the extents of
  /// every data block group) rather than by bytes alone.
  var hasExtentDetail: Bool { !placements.isEmpty }

  /// The placements of `layout`'s block groups, or `nil` when it lacks the extents of some data or
  /// mixed block group (an old layout file, or a filesystem with too many extents to read). Extents
  /// that do not add up to their block group's used bytes are taken as they are (see
  /// ``Layout/extentDrift``).
  static func placements(of layout: Layout) -> [ExtentPlacement?]? {
    guard let extents = layout.extents else { return nil }
    var byAddress: [UInt64: BlockGroupExtents] = [:]
    for entry in extents { byAddress[entry.vaddr] = entry }
    var placements: [ExtentPlacement?] = []
    placements.reserveCapacity(layout.blockGroups.count)
    for group in layout.blockGroups {
      guard group.type == .data || group.type == .mixed else {
        placements.append(nil)
        continue
      }
      guard let entry = byAddress[group.vaddr] else { return nil }
      placements.append(
        ExtentPlacement(entry, length: group.length, usesSizeClasses: group.type == .data))
    }
    return placements
  }

  /// Relocates the data block group at `index` into block groups of `profile` extent by extent, as
  /// relocation and `find_free_extent` do: each extent, in address order, keeps its size and goes to
  /// the first hole that holds it — first in the block group the previous extent went to, after it
  /// (the allocator's hint), then in ascending logical address — among live block groups of the
  /// destination outside `batch`, preferring block groups of its size class, then those without a
  /// class; when none holds it, a new chunk is allocated, and only when that is impossible does it
  /// go to a block group of another class. Then the block group is removed. Returns how many chunks
  /// were allocated; nothing changes when it throws.
  mutating func relocateExtents(
    _ index: Int, to profile: Profile, in batch: inout RelocationBatch
  ) throws(OutOfSpace) -> Int {
    var model = self
    let group = groups[index]
    let destination = model.pool(for: BlockGroupFlags(type: group.type, profile: profile))
    var hint: (member: Int, address: UInt64)?
    var newChunks = 0
    if model.relocatesLastData(group),
      let chunk = try? model.newChunks(
        holding: 1, pool: destination
      ).first
    {
      _ = model.append(chunk)
      newChunks += 1
    }
    for length in placements[index]!.recorded(vaddr: group.vaddr).map(\.length) {
      let extentClass = SizeClass(extentLength: length)
      var target = model.hinted(hint, length, extentClass, batch: batch)
      for stage in [AllocationStage.matchingClass, .unsetClass] where target == nil {
        target = model.firstFit(length, extentClass, stage, pool: destination, batch: batch)
      }
      if target == nil, let chunk = try? model.newChunks(holding: length, pool: destination).first {
        let created = model.append(chunk)
        newChunks += 1
        target = (created, chunk.vaddr)
      }
      if target == nil {
        target = model.firstFit(length, extentClass, .anyClass, pool: destination, batch: batch)
      }
      guard let (member, address) = target else { throw OutOfSpace() }
      model.placements[member]!.place(length, at: address)
      model.groups[member].used += length
      model.pools[destination].filled(length)
      hint = (member, address + length)
    }
    batch.remove(index, free: group.free, pool: model.poolIndex(Pool.key(group.flags))!)
    model.remove(index)
    self = model
    return newChunks
  }

  /// Whether relocating `group` makes the kernel allocate an empty data chunk first: before it
  /// relocates a data chunk while no data block group holds a byte (`btrfs_may_alloc_data_chunk`,
  /// volumes.c), so that the filesystem keeps a data chunk of its profile.
  func relocatesLastData(_ group: BlockGroup) -> Bool {
    group.type == .data && !pools.contains { $0.key.type == .data && $0.used > 0 }
  }

  /// The hinted block group and the first hole after the hint that holds `length`, when the hinted
  /// block group may take the extent at the first stage.
  private func hinted(
    _ hint: (member: Int, address: UInt64)?, _ length: UInt64, _ extentClass: SizeClass,
    batch: RelocationBatch
  ) -> (Int, UInt64)? {
    guard let hint, isAlive[hint.member], !batch.contains(hint.member),
      let placement = placements[hint.member],
      placement.accepts(extentClass, stage: .matchingClass),
      let address = placement.firstFit(length, from: hint.address)
    else { return nil }
    return (hint.member, address)
  }

  /// The first live member of the pool at `pool`, outside `batch`, in ascending address, that may
  /// take an extent of `extentClass` at `stage` and has a hole for `length` bytes, with the hole.
  private func firstFit(
    _ length: UInt64, _ extentClass: SizeClass, _ stage: AllocationStage, pool: Int,
    batch: RelocationBatch
  ) -> (Int, UInt64)? {
    for member in pools[pool].members where isAlive[member] && !batch.contains(member) {
      guard let placement = placements[member], placement.accepts(extentClass, stage: stage),
        let address = placement.firstFit(length)
      else { continue }
      return (member, address)
    }
    return nil
  }
}
