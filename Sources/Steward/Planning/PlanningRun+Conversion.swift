import Btrfs

/// Planning a rule with `convert`: every selected block group not yet of the target profile is
/// relocated into block groups of that profile, one per operation, whatever it regains — a
/// conversion to a profile with more copies costs space, and the plan says how much. The model
/// places each block group's bytes in the target profile's block groups and new chunks of it (on the
/// devices with the most unallocated space, as the kernel picks them), so the prediction shows
/// where the space goes, device by device.
extension PlanningRun {
  /// Plans the conversion `rule` asks for and reports it, with the progress of the whole
  /// conversion: how many of the type's block groups have the target profile before and after.
  mutating func evaluateConversion(_ rule: Rule, to profile: Profile) -> RuleReport {
    if let report = notFiring(rule) { return report }
    let unallocated = space.unallocatedBytes
    if let reason = Self.cannotHold(profile, devices: space.base.devices) {
      return RuleReport(
        rule: rule.name, fired: true, verdict: .cannotConvert,
        explanation: "cannot convert to \(profile.rawValue): \(reason)")
    }
    var queue = CandidateQueue(rule.select, order: rule.order, in: space)
    let before = ConversionProgress(space, type: rule.select.type, profile: profile)
    var planned = 0
    var moved: UInt64 = 0
    let stop: (RuleVerdict, String)
    while true {
      if let reached = ruleMaxBlockGroups(rule, planned: planned) ?? maxOperationsReached() {
        stop = reached
        break
      }
      guard let index = queue.next(in: space) else {
        stop = (.exhausted, "every selected block group converted")
        break
      }
      let group = space.groups[index]
      // Soft mode: the kernel leaves a block group of the target profile alone.
      if group.profile == profile { continue }
      if let reached = maxRelocatedReached(next: group)
        ?? ruleMaxRelocated(rule, movedByRule: moved, next: group)
      {
        stop = reached
        break
      }
      var trial = space
      // Between operations the kernel's cleaner deletes the chunks forced before and left empty.
      trial.removeEmptyCreated()
      let forced = trial.forceChunk(BlockGroupFlags(type: group.type, profile: profile))
      var batch = RelocationBatch(soleMember: index, in: trial)
      let newChunks: Int
      do {
        newChunks = try trial.relocate(index, to: profile, in: &batch) + forced
      } catch {
        if rule.onNoSpace == .skip { continue }
        ended = "rule \(rule.name) stopped on ENOSPC"
        stop = (
          .noSpace,
          "stopped: converting the block group at \(group.vaddr) (\(ByteCount(group.used)) used) "
            + "would run out of space for \(profile.rawValue) chunks"
        )
        break
      }
      space = trial
      moved += group.used
      planned += 1
      appendOperation(group, rule: rule, newChunks: newChunks, convert: profile)
      if let reason = metGoal(rule) {
        stop = (.goalReached, "goal reached: \(reason)")
        break
      }
    }
    let after = ConversionProgress(space, type: rule.select.type, profile: profile)
    let cost = Int64(unallocated) - Int64(space.unallocatedBytes)
    return RuleReport(
      rule: rule.name, fired: true, verdict: stop.0,
      explanation: "\(stop.1); \(rule.select.type.rawValue) in \(profile.rawValue): "
        + "\(before) before, \(after) after"
        + (cost > 0
          ? "; the conversion costs \(ByteCount(UInt64(cost))) of unallocated space" : ""),
      operations: planned, relocatedBytes: moved)
  }

  /// Why no chunk of `profile` can be allocated on `devices`, or `nil` when one can: a profile
  /// needs at least its number of devices with space (raid1 two, raid1c3 three, …).
  static func cannotHold(_ profile: Profile, devices: [DeviceInfo]) -> String? {
    let minimum = profile.deviceCounts.minimum
    let usable = devices.filter { $0.totalBytes > 0 }.count
    guard usable < minimum else { return nil }
    return "\(profile.rawValue) needs at least \(minimum) devices, the filesystem has \(usable)"
  }
}

extension SimulatedSpace {
  /// Allocates one new chunk of `flags` if the devices have room for it, as the kernel does for
  /// every block group it converts: marking a block group read-only for relocation while the
  /// balance's target profile differs from the block group's force-allocates a chunk of the target
  /// profile (`btrfs_inc_block_group_ro` with `do_chunk_alloc`, fs/btrfs/block-group.c), ENOSPC
  /// ignored — even when block groups of the target profile have room. Returns how many chunks it
  /// allocated (0 or 1).
  mutating func forceChunk(_ flags: BlockGroupFlags) -> Int {
    let destination = pool(for: flags)
    guard let chunk = try? newChunks(holding: 1, pool: destination).first else { return 0 }
    _ = append(chunk)
    return 1
  }
}

extension SimulatedSpace {
  /// Removes every block group the model created that is empty, as the kernel's cleaner deletes
  /// them some seconds after the transaction that left them unused (since 6.9 also those that
  /// were never used: a chunk a conversion force-allocated and filled nothing into). Measured after
  /// a conversion of two block groups: the second's forced raid1 chunk is there, empty, when the
  /// ioctl returns, and gone half a minute later.
  mutating func removeEmptyCreated() {
    for index in base.blockGroups.count..<groups.count
    where isAlive[index] && groups[index].used == 0 {
      remove(index)
    }
  }
}

/// How far a conversion has come: the type's used bytes and block groups already in the target
/// profile, out of all of them. `3 of 5 block groups (1.50GiB of 2.20GiB used)`.
struct ConversionProgress: CustomStringConvertible {
  var converted = 0
  var total = 0
  var convertedBytes: UInt64 = 0
  var totalBytes: UInt64 = 0

  init(_ space: SimulatedSpace, type: BlockGroupType, profile: Profile) {
    for index in space.groups.indices where space.isAlive[index] {
      let group = space.groups[index]
      guard group.type == type else { continue }
      total += 1
      totalBytes += group.used
      if group.profile == profile {
        converted += 1
        convertedBytes += group.used
      }
    }
  }

  var description: String {
    "\(converted) of \(total) block groups (\(ByteCount(convertedBytes)) of "
      + "\(ByteCount(totalBytes)) used)"
  }
}
