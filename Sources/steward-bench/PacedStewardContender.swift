import Foundation
import Steward

/// `btrfs-steward run` compacting data block groups used less than `usage` + 0.5 % (what
/// python-btrfs's `-u usage` and the kernel's `-dusage=usage` select), least used first, with the
/// policy's `pacing` section `pacing` (YAML lines, indented by two) or none.
struct PacedStewardCompaction: CompactionContender {
  /// The `btrfs-steward` binary.
  var executable: String
  var usage: Int
  /// The `pacing:` section's lines, or `nil` for an unpaced run.
  var pacing: [String]?
  /// What the pacing goes by, in the paced row's name (`PSI`, `cgroup`).
  var signal = ""
  var name: String { pacing == nil ? "btrfs-steward unpaced" : "btrfs-steward paced (\(signal))" }

  /// The policy the run is given.
  var policy: String {
    var text = """
      version: 1
      name: bench-pacing
      rules:
        - name: least-used
          select: { type: data, usage-below: \(usage).5% }
          order: least-used-first

      """
    if let pacing {
      text += "pacing:\n" + pacing.map { "  \($0)\n" }.joined()
    }
    return text
  }

  func prepare(_ copy: MountedCopy) throws -> [String] {
    let policyFile = copy.directory.appendingPathComponent("policy.yaml").path
    try policy.write(toFile: policyFile, atomically: true, encoding: .utf8)
    return [
      executable, "run", "--policy", policyFile,
      "--state-dir", copy.directory.appendingPathComponent("state").path,
      "--runtime-dir", copy.directory.appendingPathComponent("run").path, copy.mountpoint,
    ]
  }

  /// Where the run's time went, from its journal.
  func timeline(_ copy: MountedCopy) throws -> PacedTimeline {
    let journal = try JournalFile(
      stateDirectory: copy.directory.appendingPathComponent("state").path, fsid: copy.fsid)
    return PacedTimeline(try journal.read().records)
  }
}

/// Where a btrfs-steward run's wall time went, from its journal: in the kernel's balance (from each
/// operation's start to its end or yield), waiting for the machine, and the rest (the fresh
/// pressure reading before each block group, rests, and the run's own work between operations).
/// Journal times are whole seconds, so the split between the kernel and the rest is good to about a
/// second over a run; the waits are the run's own measured seconds.
struct PacedTimeline: Codable {
  /// Waits for the machine, and their seconds.
  var waits = 0
  var waitSeconds = 0.0
  /// In-flight yields, and the seconds of balance they threw away.
  var yields = 0
  var lostSeconds = 0.0
  /// Balances started (retries included), and the seconds they ran.
  var balances = 0
  var balanceSeconds = 0.0
  /// From the run's first record to its last.
  var journaledSeconds = 0.0

  /// Seconds neither in a balance nor waiting.
  var otherSeconds: Double { max(0, journaledSeconds - balanceSeconds - waitSeconds) }

  init(_ records: [JournalRecord]) {
    var started: Date?
    for record in records {
      switch record.event {
      case .machineCalm(let waited):
        waits += 1
        waitSeconds += waited
      case .operationStarted:
        balances += 1
        started = record.time
      case .operationYielded(_, let lost):
        yields += 1
        lostSeconds += lost
        fallthrough
      case .operationFinished, .paused, .cancelled:
        if let begun = started { balanceSeconds += record.time.timeIntervalSince(begun) }
        started = nil
      default: break
      }
    }
    if let first = records.first, let last = records.last {
      journaledSeconds = last.time.timeIntervalSince(first.time)
    }
  }
}
