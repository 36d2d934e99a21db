import Foundation
import Steward

/// `btrfs-steward run` with a least-used policy: data block groups used less than `usage` + 0.5 %
/// (what python-btrfs's `-u usage` selects: its usage is rounded, then compared with ≤), least
/// used first, until unallocated space is at least `goal` bytes. `plan --json` on the same copy
/// first records what btrfs-steward predicts.
struct StewardLeastUsed: CompactionContender {
  /// The `btrfs-steward` binary.
  var executable: String
  var usage: Int
  /// The goal: `until: { unallocated-above: goal }`, in bytes.
  var goal: UInt64
  var name: String { "btrfs-steward run" }

  /// The policy the run is given.
  var policy: String {
    """
    version: 1
    name: bench-least-used
    rules:
      - name: least-used
        select: { type: data, usage-below: \(usage).5% }
        order: least-used-first
        until: { unallocated-above: \(goal)B }
    """
  }

  func prepare(_ copy: MountedCopy) throws -> [String] {
    let policyFile = copy.directory.appendingPathComponent("policy.yaml").path
    try policy.write(toFile: policyFile, atomically: true, encoding: .utf8)
    let planning = try ChildRun.succeeding(
      [executable, "plan", "--json", "--policy", policyFile, copy.mountpoint],
      log: planFile(copy), errorLog: copy.directory.appendingPathComponent("plan.log"))
    try JSONEncoder().encode(planning).write(to: planRunFile(copy))
    return [
      executable, "run", "--policy", policyFile,
      "--state-dir", copy.directory.appendingPathComponent("state").path,
      "--runtime-dir", copy.directory.appendingPathComponent("run").path, copy.mountpoint,
    ]
  }

  /// What btrfs-steward planned before its run and journaled at its end.
  func report(_ copy: MountedCopy) throws -> StewardReport? {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    let plan = try decoder.decode(Plan.self, from: Data(contentsOf: planFile(copy)))
    let journal = try JournalFile(
      stateDirectory: copy.directory.appendingPathComponent("state").path, fsid: copy.fsid)
    let summary = JournalReplay.runs(try journal.read().records).last?.summary
    let planning = try decoder.decode(ChildRun.self, from: Data(contentsOf: planRunFile(copy)))
    return StewardReport(
      plannedOperations: plan.operations.count, predicted: plan.outcome, journaled: summary,
      planning: planning)
  }

  private func planFile(_ copy: MountedCopy) -> URL {
    copy.directory.appendingPathComponent("plan.json")
  }

  private func planRunFile(_ copy: MountedCopy) -> URL {
    copy.directory.appendingPathComponent("plan-run.json")
  }
}

/// btrfs-steward's own account of its run: the plan's prediction and the journal's summary.
struct StewardReport: Codable {
  /// Operations in the plan.
  var plannedOperations: Int
  /// The plan's predicted outcome.
  var predicted: PredictedOutcome
  /// The run's summary from the journal, if it finished.
  var journaled: RunSummary?
  /// The `plan --json` run before it: start-up, policy, layout and planning, with no balance. Its
  /// CPU time is the fixed part of the run's.
  var planning: ChildRun
}
