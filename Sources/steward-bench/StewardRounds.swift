import Btrfs
import Foundation
import Steward

/// btrfs-steward's two rounds on one copy: plan, run, plan, run, with a least-used policy and no
/// goal (every operation the plan finds worth it).
struct StewardRounds {
  var executable: String
  var usage: Int

  var policy: String {
    """
    version: 1
    name: bench-corpus
    rules:
      - name: least-used
        select: { type: data, usage-below: \(usage).5% }
        order: least-used-first
    """
  }

  /// Both rounds on `copy`.
  func measure(_ copy: MountedCopy) throws -> StewardResult {
    let policyFile = copy.directory.appendingPathComponent("policy.yaml").path
    try policy.write(toFile: policyFile, atomically: true, encoding: .utf8)
    let start = try settledLayout(copy.mountpoint)
    let first = try round(1, copy: copy, policyFile: policyFile)
    let middle = try settledLayout(copy.mountpoint)
    let second = try round(2, copy: copy, policyFile: policyFile)
    let end = try settledLayout(copy.mountpoint)
    return StewardResult(
      dataChunkRawBytes: Self.largestDataChunkRawBytes(start),
      dataUsagesBefore: start.blockGroups.filter { $0.type == .data || $0.type == .mixed }
        .map { Int($0.usagePercent.rounded()) },
      first: RoundResult(plan: first.plan, summary: first.summary, before: start, after: middle),
      second: RoundResult(plan: second.plan, summary: second.summary, before: middle, after: end),
      overall: PeerResult(before: start, after: end))
  }

  private func round(
    _ number: Int, copy: MountedCopy, policyFile: String
  ) throws -> (plan: Plan, summary: RunSummary?) {
    let plan = try copy.plan(executable: executable, policyFile: policyFile, name: "plan\(number)")
    let state = copy.directory.appendingPathComponent("state").path
    _ = try ChildRun.succeeding(
      [
        executable, "run", "--policy", policyFile, "--state-dir", state,
        "--runtime-dir", copy.directory.appendingPathComponent("run").path, copy.mountpoint,
      ], log: copy.directory.appendingPathComponent("run\(number).log"))
    let journal = try JournalFile(stateDirectory: state, fsid: copy.fsid)
    let summary = JournalReplay.runs(try journal.read().records).last?.summary
    return (plan, summary)
  }

  /// The raw device bytes of the largest data (or mixed) chunk: "one data chunk" of the targets.
  static func largestDataChunkRawBytes(_ layout: Layout) -> UInt64 {
    layout.chunks.filter { $0.flags.type == .data || $0.flags.type == .mixed }.map { chunk in
      let copies: UInt64 =
        switch chunk.flags.profile {
        case .dup, .raid1, .raid10: 2
        case .raid1c3: 3
        case .raid1c4: 4
        case .single, .raid0, .raid5, .raid6: 1
        }
      return chunk.length * copies
    }.max() ?? 0
  }
}

/// One plan and run of btrfs-steward.
struct RoundResult: Codable {
  var plannedOperations: Int
  var predictedGain: Int64
  var predictedMoved: UInt64
  var realGain: Int64
  /// The journal's used bytes moved (each block group as it was when relocated); 0 when the run
  /// did not finish.
  var realMoved: UInt64
  /// Operations the run skipped or failed.
  var notRelocated: Int

  init(plan: Plan, summary: RunSummary?, before: Layout, after: Layout) {
    plannedOperations = plan.operations.count
    predictedGain = plan.outcome.unallocatedGained
    predictedMoved = plan.outcome.relocatedBytes
    realGain = Int64(after.unallocatedBytes) - Int64(before.unallocatedBytes)
    realMoved = summary?.relocatedBytes ?? 0
    notRelocated = (summary.map { $0.skipped + $0.failed + $0.left }) ?? plan.operations.count
  }
}

/// btrfs-steward's figures on one image.
struct StewardResult: Codable {
  var dataChunkRawBytes: UInt64
  /// The usage in percent of every data (or mixed) block group before the first round.
  var dataUsagesBefore: [Int]
  var first: RoundResult
  var second: RoundResult
  /// Both rounds by the measure the peers share.
  var overall: PeerResult
}
