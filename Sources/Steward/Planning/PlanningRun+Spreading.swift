import Btrfs

/// Planning a rule with `spread-within`: after a device is added, its space stays empty until new
/// chunks land there. Each step takes the device with the least unallocated space, simulates
/// relocating each selected block group with a stripe on it (the model fills other block groups
/// first and puts new chunks on the devices with the most unallocated space, as the kernel does),
/// and plans the one that leaves the devices most even; it stops once every device's unallocated
/// space is within the margin of every other's, or when no move evens them further.
extension PlanningRun {
  /// At most this many candidates (the least used first) are simulated per step.
  static let spreadCandidatesPerStep = 64

  mutating func evaluateSpreading(_ rule: Rule, within margin: SpaceAmount) -> RuleReport {
    if let ended {
      return RuleReport(
        rule: rule.name, fired: false, verdict: .notEvaluated,
        explanation: "not evaluated: \(ended)")
    }
    for trigger in rule.when {
      let (holds, reason) = trigger.evaluate(
        unallocated: space.unallocatedBytes, totalBytes: totalBytes)
      if !holds {
        return RuleReport(
          rule: rule.name, fired: false, verdict: .notTriggered,
          explanation: "did not fire: \(reason)")
      }
    }
    let marginBytes = margin.bytes(ofTotal: totalBytes)
    let before = Self.spread(space)
    var planned = 0
    var moved: UInt64 = 0
    let stop: (RuleVerdict, String)
    while true {
      let current = Self.spread(space)
      if current <= marginBytes {
        stop = (
          .goalReached,
          "devices even: unallocated space within \(ByteCount(current)) of each other, "
            + "at most \(margin.explained(marginBytes))"
        )
        break
      }
      if let maximum = rule.maxBlockGroups, planned >= maximum {
        stop = (.maxBlockGroups, "max-block-groups \(maximum) reached")
        break
      }
      if let maximum = policy.limits.maxOperations, operations.count >= maximum {
        ended = "limit max-operations \(maximum) reached"
        stop = (.maxOperations, "limit max-operations \(maximum) reached")
        break
      }
      guard let (index, trial, newChunks) = bestMove(rule, spread: current) else {
        stop = (
          .exhausted,
          "no selected block group's move evens the devices further (unallocated within "
            + "\(ByteCount(current)) of each other)"
        )
        break
      }
      let group = space.groups[index]
      if let maximum = policy.limits.maxRelocatedBytes, relocatedBytes + group.used > maximum {
        ended = "limit max-relocated \(ByteCount(maximum)) reached"
        stop = (.maxRelocated, "limit max-relocated \(ByteCount(maximum)) reached")
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
  /// relocation leaves the smallest spread (below `spread`), with the model after it and the
  /// chunks it allocated.
  private func bestMove(_ rule: Rule, spread: UInt64) -> (Int, SimulatedSpace, Int)? {
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
    var best: (index: Int, space: SimulatedSpace, chunks: Int, spread: UInt64)?
    for index in candidates.prefix(Self.spreadCandidatesPerStep) {
      var trial = space
      var batch = RelocationBatch(soleMember: index, in: trial)
      guard let chunks = try? trial.relocate(index, to: space.groups[index].profile, in: &batch)
      else { continue }
      let after = Self.spread(trial)
      if after < (best?.spread ?? spread) { best = (index, trial, chunks, after) }
    }
    return best.map { ($0.index, $0.space, $0.chunks) }
  }

  /// The difference between the most and the least unallocated space of any device.
  static func spread(_ space: SimulatedSpace) -> UInt64 {
    let unallocated = space.devices.map(\.unallocatedBytes)
    return (unallocated.max() ?? 0) - (unallocated.min() ?? 0)
  }
}
