/// How a run ended: the one answer the journal, `status`, the metrics file, the `--json` event
/// stream and the exit status all derive from.
///
/// A paused run has ended in this process; the journal keeps it open, and the next run carries it
/// on. Every other outcome ends the run for good.
public enum RunOutcome: Hashable, Sendable, CustomStringConvertible {
  /// Every operation of the plan was done or skipped.
  case completed
  /// A goal (`until`) was met on the real filesystem before the plan was done.
  case goalReached
  /// A limit (max-operations, max-relocated) was reached.
  case limitReached
  /// The kernel ran out of space and the rule said stop.
  case noSpace
  /// An operation failed in a way that ends the run.
  case failed
  /// The run paused, for this reason; the next run carries it on.
  case paused(StopReason)
  /// The run was cancelled, for this reason.
  case cancelled(StopReason)

  /// The outcome's name as the journal, the JSON outputs and the metrics file's `outcome` label
  /// spell it.
  public var label: String {
    switch self {
    case .completed: "completed"
    case .goalReached: "goal-reached"
    case .limitReached: "limit-reached"
    case .noSpace: "no-space"
    case .failed: "failed"
    case .paused: "paused"
    case .cancelled: "cancelled"
    }
  }

  /// Every ``label``, in the order the metrics file lists them.
  public static let labels = [
    "completed", "goal-reached", "limit-reached", "no-space", "cancelled", "failed", "paused",
  ]

  /// The outcome `label` names, with `reason` for the two that stop a run (`nil` when `label` names
  /// none, or names a stop and `reason` is missing).
  public init?(label: String, reason: StopReason?) {
    switch label {
    case "completed": self = .completed
    case "goal-reached": self = .goalReached
    case "limit-reached": self = .limitReached
    case "no-space": self = .noSpace
    case "failed": self = .failed
    case "paused":
      guard let reason else { return nil }
      self = .paused(reason)
    case "cancelled":
      guard let reason else { return nil }
      self = .cancelled(reason)
    default: return nil
    }
  }

  /// Why the run was stopped, when it was paused or cancelled.
  public var stopReason: StopReason? {
    switch self {
    case .paused(let reason), .cancelled(let reason): reason
    case .completed, .goalReached, .limitReached, .noSpace, .failed: nil
    }
  }

  /// Whether the run paused, so that the next run carries it on.
  public var isPaused: Bool {
    if case .paused = self { return true }
    return false
  }

  /// Whether the run went through its plan to an end of its own: done, a goal, a limit, ENOSPC or
  /// a failure (not paused or cancelled).
  public var isFinished: Bool { stopReason == nil }

  /// The documented exit status of a run that ended so.
  public var exitStatus: ExitStatus {
    switch self {
    case .completed, .goalReached, .limitReached: .success
    case .noSpace: .noSpace
    case .failed: .failure
    case .paused: .paused
    case .cancelled: .cancelled
    }
  }

  public var description: String {
    switch self {
    case .paused(let reason): "paused because \(reason)"
    case .cancelled(let reason): "cancelled because \(reason)"
    default: label
    }
  }
}
