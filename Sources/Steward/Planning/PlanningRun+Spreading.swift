import Btrfs

/// Planning a spreading rule (`spread-within` or `spread-until-each-device-has`): after a device is
/// added, its space stays empty until new chunks land there. Each step takes the device with the
/// least unallocated space, simulates relocating each selected block group with a stripe on it (the
/// model fills other block groups first and puts new chunks on the devices with the most
/// unallocated space, as the kernel does), and plans the one that brings the devices closest to the
/// rule's goal; it stops once the goal holds, or when no move brings them closer.
extension PlanningRun {
  /// At most this many candidates (the least used first) are simulated per step.
  static let spreadCandidatesPerStep = 64

  mutating func evaluateSpreading(_ rule: Rule, toward goal: SpreadGoal) -> RuleReport {
    if let report = notFiring(rule) { return report }
    let before = Self.spread(space)
    var planned = 0
    var moved: UInt64 = 0
    let stop: (RuleVerdict, String)
    while true {
      if let reason = goal.met(space, totalBytes: totalBytes) {
        stop = (.goalReached, reason)
        break
      }
      if let reached = ruleMaxBlockGroups(rule, planned: planned) ?? maxOperationsReached() {
        stop = reached
        break
      }
      guard let (index, trial, newChunks) = bestMove(rule, toward: goal) else {
        stop = (
          .exhausted,
          "no selected block group's move brings the devices closer to the goal ("
            + goal.shortfall(space, totalBytes: totalBytes) + ")"
        )
        break
      }
      let group = space.groups[index]
      if let reached = maxRelocatedReached(next: group)
        ?? ruleMaxRelocated(rule, movedByRule: moved, next: group)
      {
        stop = reached
        break
      }
      space = trial
      moved += group.used
      planned += 1
      appendOperation(group, rule: rule, newChunks: newChunks)
      if let reason = metGoal(rule) {
        stop = (.goalReached, "goal reached: \(reason)")
        break
      }
    }
    return RuleReport(
      rule: rule.name, fired: true, verdict: stop.0,
      explanation: "\(stop.1); spread of unallocated space \(ByteCount(before)) → "
        + "\(ByteCount(Self.spread(space)))",
      operations: planned, relocatedBytes: moved)
  }

  /// The selected block group with a stripe on the device with the least unallocated space whose
  /// relocation brings the devices closest to `goal` (closer than now), with the model after it and
  /// the chunks it allocated.
  private func bestMove(_ rule: Rule, toward goal: SpreadGoal) -> (Int, SimulatedSpace, Int)? {
    guard
      let fullest = space.devices.indices.min(by: {
        space.devices[$0].unallocatedBytes < space.devices[$1].unallocatedBytes
      })
    else { return nil }
    let devid = space.devices[fullest].devid
    var candidates: [Int] = []
    for index in space.groups.indices where space.isAlive[index] {
      let group = space.groups[index]
      guard rule.select.matches(group, chunk: { space.chunk(index) }),
        space.chunk(index).devids.contains(devid)
      else { continue }
      candidates.append(index)
    }
    candidates.sort { space.groups[$0].used < space.groups[$1].used }
    var best: (index: Int, space: SimulatedSpace, chunks: Int, distance: SpreadGoal.Distance)?
    let now = goal.distance(space, totalBytes: totalBytes)
    for index in candidates.prefix(Self.spreadCandidatesPerStep) {
      var trial = space
      var batch = RelocationBatch(soleMember: index, in: trial)
      guard let chunks = try? trial.relocate(index, to: space.groups[index].profile, in: &batch)
      else { continue }
      let after = goal.distance(trial, totalBytes: totalBytes)
      if after < (best?.distance ?? now) { best = (index, trial, chunks, after) }
    }
    return best.map { ($0.index, $0.space, $0.chunks) }
  }

  /// The difference between the most and the least unallocated space of any device.
  static func spread(_ space: SimulatedSpace) -> UInt64 {
    let unallocated = space.devices.map(\.unallocatedBytes)
    return (unallocated.max() ?? 0) - (unallocated.min() ?? 0)
  }
}

/// What a spreading rule spreads toward: devices even within a margin (`spread-within`), or at
/// least so much unallocated on every device (`spread-until-each-device-has`).
enum SpreadGoal {
  case within(SpaceAmount)
  case eachDeviceHas(UInt64)

  /// The goal of `rule`, if it spreads.
  init?(_ rule: Rule) {
    if let margin = rule.spreadWithin {
      self = .within(margin)
    } else if let floor = rule.spreadUntilEachDeviceHas {
      self = .eachDeviceHas(floor)
    } else {
      return nil
    }
  }

  /// How far the devices are from the goal; a move must make it smaller. For `within`, the spread;
  /// for `eachDeviceHas`, the bytes the devices lack below the floor, then the spread.
  struct Distance: Comparable {
    var primary: UInt64
    var spread: UInt64

    static func < (lhs: Self, rhs: Self) -> Bool {
      (lhs.primary, lhs.spread) < (rhs.primary, rhs.spread)
    }
  }

  func distance(_ space: SimulatedSpace, totalBytes: UInt64) -> Distance {
    let spread = PlanningRun.spread(space)
    switch self {
    case .within: return Distance(primary: spread, spread: 0)
    case .eachDeviceHas(let floor):
      return Distance(primary: Self.lacking(space, below: floor), spread: spread)
    }
  }

  /// Why the goal holds on `space`, or `nil` when it does not.
  func met(_ space: SimulatedSpace, totalBytes: UInt64) -> String? {
    switch self {
    case .within(let margin):
      let bytes = margin.bytes(ofTotal: totalBytes)
      let spread = PlanningRun.spread(space)
      guard spread <= bytes else { return nil }
      return "devices even: unallocated space within \(ByteCount(spread)) of each other, at most "
        + margin.explained(bytes)
    case .eachDeviceHas(let floor):
      guard Self.lacking(space, below: floor) == 0 else { return nil }
      let least = space.devices.map(\.unallocatedBytes).min() ?? 0
      return "every device has at least \(ByteCount(floor)) unallocated (the least "
        + "\(ByteCount(least)))"
    }
  }

  /// How far `space` is from the goal, in words.
  func shortfall(_ space: SimulatedSpace, totalBytes: UInt64) -> String {
    switch self {
    case .within:
      return "unallocated within \(ByteCount(PlanningRun.spread(space))) of each other"
    case .eachDeviceHas(let floor):
      let short = space.devices.filter { $0.unallocatedBytes < floor }.map {
        "device \($0.devid) has \(ByteCount($0.unallocatedBytes))"
      }
      return "below \(ByteCount(floor)): " + short.joined(separator: ", ")
    }
  }

  /// The bytes the devices of `space` lack below `floor`, summed.
  private static func lacking(_ space: SimulatedSpace, below floor: UInt64) -> UInt64 {
    space.devices.reduce(0) { $0 + (floor > $1.unallocatedBytes ? floor - $1.unallocatedBytes : 0) }
  }
}
