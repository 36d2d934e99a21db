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
  var name: String { pacing == nil ? "btrfs-steward unpaced" : "btrfs-steward paced" }

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

  /// How often and how long the run waited for the machine, from its journal.
  func waits(_ copy: MountedCopy) throws -> (count: Int, seconds: Double, yields: Int) {
    let journal = try JournalFile(
      stateDirectory: copy.directory.appendingPathComponent("state").path, fsid: copy.fsid)
    var count = 0
    var seconds = 0.0
    var yields = 0
    for record in try journal.read().records {
      switch record.event {
      case .machineCalm(let waited):
        count += 1
        seconds += waited
      case .operationYielded: yields += 1
      default: break
      }
    }
    return (count, seconds, yields)
  }
}
