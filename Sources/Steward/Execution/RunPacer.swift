import Foundation

/// The pacing of one process's work on a run: the gate before each operation (pressure, the
/// protected workload), the watch on both while one runs, and the rests between operations (the
/// policy's `pause-between`, or longer when the duty cycle asks). Every wait is in slices of
/// ``PacingGate/slice`` on the run's stop requests, with the clock checked at each, so a stop, a
/// closing window or max-runtime ends it at once; time spent waiting counts against max-runtime
/// and windows like any other.
final class RunPacer {
  let pacing: Pacing
  let gate: PacingGate
  private var watch: PressureWatch
  private var dutyCycle: DutyCycle?
  private var durations = BalanceDurations()
  private let startedAt = Date()
  private let observe: @Sendable (ExecutionEvent) -> Void

  /// A pacer for `policy`'s pacing; `gauge` `nil` reads as pressure that cannot be read, and
  /// `workload` `nil` as activity that cannot be read when the policy protects a cgroup (so a
  /// paced run without them waits instead of running unpaced).
  init(
    policy: Policy, gauge: (any PressureGauge)?, workload: (any WorkloadActivity)?,
    stops: StopRequests, now: @escaping @Sendable () -> Date, sampleInterval: Double,
    observe: @escaping @Sendable (ExecutionEvent) -> Void
  ) {
    pacing = policy.pacing
    gate = PacingGate(
      for: policy.pacing, gauge: gauge, workload: workload, stops: stops, now: now,
      sampleInterval: sampleInterval)
    watch = PressureWatch(pacing: policy.pacing)
    dutyCycle = policy.pacing.maxBusyShare.map { DutyCycle(maxBusyPercent: $0) }
    self.observe = observe
  }

  /// Whether operations watch pressure while they run.
  var yieldsInFlight: Bool { pacing.gracePeriod != nil && pacing.boundsPressure }

  /// Whether operations look at a protected workload's I/O while they run
  /// (every ``ProtectedWorkload/lookInterval``).
  var watchesWorkload: Bool { gate.workload != nil }

  /// Waits while the machine is pressed, before `operation` starts or resumes (its block group's
  /// expected time, from the run's earlier ones, weighed against a protected workload's quiet
  /// periods). A wait is journaled by `record` when it begins and when it ends. Returns whether a
  /// stop was requested meanwhile (the caller ends the run then).
  func waitForMachine(
    before operation: PlannedOperation, checkClock: () -> Void,
    record: (JournalEvent) throws(ExecutionError) -> Void
  ) throws(ExecutionError) -> Bool {
    let observe = self.observe
    let index = operation.index
    let expected = durations.expectedSeconds(bytes: operation.target.used)
    let outcome = try gate.waitUntilCalm(expectedSeconds: expected, checkClock: checkClock) {
      (observation) throws(ExecutionError) in
      observe(.waitingForMachine(observation, operation: index))
      try record(
        .waitingForMachine(
          operation: index, pressure: observation.pressure,
          busyWorkload: observation.busyWorkload))
    }
    switch outcome {
    case .calm(let waited):
      if waited > 0 {
        try record(.machineCalm(waitedSeconds: waited))
        observe(.machineCalm(waitedSeconds: waited))
      }
      return false
    case .stopped:
      return true
    }
  }

  /// Starts watching pressure for a new operation (or a resumed one).
  func operationStarting() {
    watch = PressureWatch(pacing: pacing)
  }

  /// While `operation` runs: reads pressure and tells whether it has stayed high for the grace
  /// period, in which case the caller yields (``Pacing/yield``).
  func shouldYield(_ operation: PlannedOperation, at time: Date) -> Bool {
    guard yieldsInFlight else { return false }
    let observation = gate.observe()
    guard watch.note(observation, at: time) else { return false }
    observe(.yielding(operation, pacing.yield, observation))
    return true
  }

  /// While `operation` runs, every ``ProtectedWorkload/lookInterval``: tells whether the protected
  /// workload did I/O (or cannot be read), in which case the caller yields (``Pacing/yield``) at
  /// once.
  func workloadWantsYield(_ operation: PlannedOperation) -> Bool {
    guard let busy = gate.workload?.lookInFlight() else { return false }
    observe(.yielding(operation, pacing.yield, busy))
    return true
  }

  /// Adds the seconds an operation's balance ran (also one cancelled by a yield) to the duty cycle.
  func recordBusy(seconds: Double) {
    dutyCycle?.recordOperation(seconds: seconds)
  }

  /// Notes that a balance relocated a block group of `bytes` used bytes in `seconds`, for the
  /// estimate of the next ones' durations.
  func recordRelocation(bytes: UInt64, seconds: Double) {
    durations.record(bytes: bytes, seconds: seconds)
  }

  /// Rests before the next operation: the longer of `pauseBetween` and what the duty cycle asks.
  func restBeforeNextOperation(pauseBetween: Duration, checkClock: () -> Void) {
    let duty = dutyCycle?.rest(afterWallSeconds: Date().timeIntervalSince(startedAt)) ?? 0
    let rest = max(pauseBetween.seconds, duty)
    guard rest > 0 else { return }
    if duty > 0 { observe(.resting(seconds: rest)) }
    _ = gate.sleep(seconds: rest, checkClock: checkClock)
  }
}
