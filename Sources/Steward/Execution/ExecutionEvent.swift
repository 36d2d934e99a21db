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
  /// The run ended, as its summary says (``RunSummary/ending``).
  case runEnded(RunSummary)
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
