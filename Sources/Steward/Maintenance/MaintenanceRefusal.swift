import Foundation

/// Why a maintenance job (scrub, trim) did not start. Each has its own message and exit status;
/// none of them touched the filesystem.
public enum MaintenanceRefusal: Error, Sendable, CustomStringConvertible {
  /// A refusal every job shares with balance runs (locks, windows, battery, exclusive operations).
  case run(RunRefusal)
  /// The job is not due yet: its last run ended at `last`, the next is due at `due`.
  case notDue(job: String, last: Date, due: Date)
  /// A scrub btrfs-steward did not start (or a device replace) runs on device `devid`.
  case foreignScrub(path: String, devid: UInt64)
  /// A balance runs on the filesystem; scrub and trim never run beside one.
  case balanceRunning(path: String)
  /// A scrub runs on the filesystem; trim never runs beside one.
  case scrubRunning(path: String)
  /// Trim is left to another tool, for this reason.
  case trimElsewhere(reason: String)
  /// The policy has no section for this job.
  case notInPolicy(job: String)

  public var description: String {
    switch self {
    case .run(let refusal):
      refusal.description
    case .notDue(let job, let last, let due):
      "the \(job) is not due: the last one ended \(last.formatted(.iso8601)), the next is due"
        + " \(due.formatted(.iso8601))"
    case .foreignScrub(let path, let devid):
      "a scrub not started by btrfs-steward (or a device replace) is running on device \(devid)"
        + " of \(path); it is left alone (see `btrfs scrub status \(path)`)"
    case .balanceRunning(let path):
      "a balance is running on \(path); scrub and trim wait until it has ended"
    case .scrubRunning(let path):
      "a scrub is running on \(path); trim waits until it has ended"
    case .trimElsewhere(let reason):
      "trim is left alone here: \(reason)"
    case .notInPolicy(let job):
      "the policy has no '\(job)' section"
    }
  }

  /// The documented exit status.
  public var exitStatus: ExitStatus {
    switch self {
    case .run(let refusal): refusal.exitStatus
    case .notDue: .success
    case .foreignScrub, .scrubRunning: .foreignScrub
    case .balanceRunning: .otherJobRunning
    case .trimElsewhere: .trimDeferred
    case .notInPolicy: .invalidInput
    }
  }
}
