import Btrfs

/// What an executing run reports as it goes, for progress lines, logs and `--json` event streams.
public enum ExecutionEvent: Sendable {
  /// A run begins (or carries on after a pause or crash) with this plan; `done` operations of it are
  /// already finished.
  case runStarting(plan: Plan, carriedOn: Bool, done: Int)
  /// An operation is about to start (or resume), as number `position` of `total`.
  case operationStarting(PlannedOperation, position: Int, total: Int, resumed: Bool)
  /// The kernel's counters while the operation runs.
  case operationProgress(PlannedOperation, BalanceProgress, elapsedSeconds: Double)
  /// The operation ended.
  case operationFinished(
    PlannedOperation, OperationResult, elapsedSeconds: Double)
  /// The run was asked to stop and is stopping.
  case stopping(StopRequest)
  /// The run ended.
  case runEnded(RunEnd)
  /// The run waits for the machine, pressed as observed, before operation `operation` (an index;
  /// `nil`: the next one) starts or resumes.
  case waitingForMachine(PressureObservation, operation: Int?)
  /// The machine is calm again after a wait of `waitedSeconds`.
  case machineCalm(waitedSeconds: Double)
  /// Pressure stayed high for the grace period while the operation ran: the run pauses or cancels
  /// its balance.
  case yielding(PlannedOperation, YieldAction, PressureObservation)
  /// The operation's balance was cancelled in flight by a yield; it will run again.
  case operationYielded(PlannedOperation, lostSeconds: Double)
  /// The run rests this long before the next operation, for the duty cycle.
  case resting(seconds: Double)
}

/// How a run of the executor ended.
public enum RunEnd: Hashable, Sendable {
  /// The plan is done (or ended early for a goal, a limit or ENOSPC); the summary says how.
  case finished(RunSummary)
  /// The run paused; the next run resumes it.
  case paused(StopReason, RunSummary)
  /// The run was cancelled.
  case cancelled(StopReason, RunSummary)

  /// The summary of what the run did.
  public var summary: RunSummary {
    switch self {
    case .finished(let summary), .paused(_, let summary), .cancelled(_, let summary): summary
    }
  }

  /// The documented exit status for this ending.
  public var exitStatus: ExitStatus {
    switch self {
    case .finished(let summary):
      switch summary.ending {
      case .completed, .goalReached, .limitReached: .success
      case .noSpace: .noSpace
      case .cancelled: .cancelled
      case .failed: .failure
      }
    case .paused: .paused
    case .cancelled: .cancelled
    }
  }
}
