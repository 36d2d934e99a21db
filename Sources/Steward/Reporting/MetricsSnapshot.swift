import Foundation

/// What the last run on one filesystem leaves for monitoring: the values behind the metrics file.
public struct MetricsSnapshot: Hashable, Sendable {
  /// How a run ended, as the `outcome` label spells it.
  public enum Outcome: String, Hashable, Sendable, CaseIterable {
    case completed
    case goalReached = "goal-reached"
    case limitReached = "limit-reached"
    case noSpace = "no-space"
    case cancelled
    case failed
    case paused

    /// The outcome of an executor's run.
    public init(_ end: RunEnd) {
      switch end {
      case .paused: self = .paused
      case .cancelled: self = .cancelled
      case .finished(let summary):
        switch summary.ending {
        case .completed: self = .completed
        case .goalReached: self = .goalReached
        case .limitReached: self = .limitReached
        case .noSpace: self = .noSpace
        case .cancelled: self = .cancelled
        case .failed: self = .failed
        }
      }
    }
  }

  /// The filesystem's UUID.
  public var fsid: String
  /// Where it is mounted.
  public var mountpoint: String
  /// The policy's name.
  public var policy: String
  /// How the run ended.
  public var outcome: Outcome
  /// What the run did.
  public var summary: RunSummary
  /// How long the run took, in seconds.
  public var durationSeconds: Double
  /// When the run ended.
  public var finishedAt: Date
  /// The exit status the run gave.
  public var exitStatus: ExitStatus

  public init(
    fsid: String, mountpoint: String, policy: String, outcome: Outcome, summary: RunSummary,
    durationSeconds: Double, finishedAt: Date, exitStatus: ExitStatus
  ) {
    self.fsid = fsid
    self.mountpoint = mountpoint
    self.policy = policy
    self.outcome = outcome
    self.summary = summary
    self.durationSeconds = durationSeconds
    self.finishedAt = finishedAt
    self.exitStatus = exitStatus
  }

  /// The snapshot of an executor's run that ended with `end`.
  public init(
    fsid: String, mountpoint: String, policy: String, end: RunEnd, durationSeconds: Double,
    finishedAt: Date
  ) {
    self.init(
      fsid: fsid, mountpoint: mountpoint, policy: policy, outcome: Outcome(end),
      summary: end.summary, durationSeconds: durationSeconds, finishedAt: finishedAt,
      exitStatus: end.exitStatus)
  }
}
