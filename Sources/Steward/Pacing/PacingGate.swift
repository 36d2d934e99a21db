import Foundation

/// What a pressure gauge told, or why it could not tell, or that the protected workload is busy.
public enum PressureObservation: Hashable, Sendable, CustomStringConvertible {
  case measured(MachinePressure)
  case unreadable(PressureError)
  /// The protected workload (named as ``WorkloadActivity/name``) did I/O, or has not been quiet
  /// for the policy's quiet period.
  case workloadBusy(String)
  /// The protected workload is quiet, but by its recent quiet periods it will likely do I/O again
  /// before the next unit of work would be done (``Pacing/finishesBeforeProtectedIO``).
  case workloadDueBack(String)

  /// The figures, when measured.
  public var pressure: MachinePressure? {
    if case .measured(let pressure) = self { return pressure }
    return nil
  }

  /// The protected workload, when it is busy or due back.
  public var busyWorkload: String? {
    switch self {
    case .workloadBusy(let name), .workloadDueBack(let name): name
    default: nil
    }
  }

  public var description: String {
    switch self {
    case .measured(let pressure): pressure.description
    case .unreadable(let error): "pressure unknown (\(error))"
    case .workloadBusy(let name): "the protected \(name) is doing I/O"
    case .workloadDueBack(let name):
      "the protected \(name) is quiet, but usually does I/O again before the next block group"
        + " would be done"
    }
  }
}

/// The gate every unit of maintenance work (a block group's balance, a scrub's device extent)
/// passes before it starts: it waits while the machine's pressure is above the policy's bounds,
/// or the protected workload has not been quiet for the policy's quiet period, in slices short
/// enough that a stop request, a closing window or max-runtime ends the wait at once. Pressure or
/// activity that cannot be read counts as too high: the gate errs on the side of the machine.
public struct PacingGate: Sendable {
  /// How a wait ended.
  public enum Outcome: Hashable, Sendable {
    /// The machine is calm (it may have been all along: `waitedSeconds` is then 0).
    case calm(waitedSeconds: Double)
    /// A stop was requested while waiting.
    case stopped(StopRequest)
  }

  /// The bounds.
  public var pacing: Pacing
  /// Where pressure is read.
  public var gauge: any PressureGauge
  /// The protected workload, when the policy names one.
  public var workload: ProtectedWorkload?
  /// The run's stop requests; waiting on them is the interruptible sleep.
  public var stops: StopRequests
  /// The clock waits are measured by.
  public var now: @Sendable () -> Date
  /// Seconds between two pressure readings while waiting.
  public var sampleInterval: Double
  /// The longest sleep between two looks at the stop requests and the clock.
  public static let slice = 0.05
  /// The longest interval between two readings while waiting: with a sliding window
  /// (``SystemPressureGauge``), the end of a busy period is seen within 0.1 s of the window
  /// becoming calm.
  public static let longestSampleInterval = 0.1

  /// A gate on `gauge` and `workload`; readings while waiting are `sampleInterval` apart, at most
  /// ``longestSampleInterval`` (and ``ProtectedWorkload/lookInterval`` with a workload).
  public init(
    pacing: Pacing, gauge: any PressureGauge, workload: ProtectedWorkload? = nil,
    stops: StopRequests, now: @escaping @Sendable () -> Date = { Date() },
    sampleInterval: Double = PacingGate.longestSampleInterval
  ) {
    self.pacing = pacing
    self.gauge = gauge
    self.workload = workload
    self.stops = stops
    self.now = now
    let longest = workload == nil ? Self.longestSampleInterval : ProtectedWorkload.lookInterval
    self.sampleInterval = min(sampleInterval, longest)
  }

  /// Reads the gauge.
  public func observe() -> PressureObservation {
    do {
      return .measured(try gauge.sample())
    } catch {
      return .unreadable(error)
    }
  }

  /// What decides whether work taking about `expectedSeconds` may start: the workload, when it
  /// has not been quiet long enough, is due back before the work would be done, or cannot be
  /// read; otherwise the pressure (none read without a bound).
  private func observeForStart(expectedSeconds: Double?) -> PressureObservation {
    if let workload, let busy = workload.lookBeforeStart(expectedSeconds: expectedSeconds) {
      return busy
    }
    return pacing.boundsPressure ? observe() : .measured(.none)
  }

  /// Waits until the pressure is within the bounds for starting work and the protected workload
  /// has been quiet for the quiet period (and is not due back before work taking about
  /// `expectedSeconds` would be done, when the policy fits quiet periods), or a stop is requested.
  /// `checkClock` runs at every slice (it turns closed windows and max-runtime into stop
  /// requests); `onBusy` runs once, with what was read, when a wait begins.
  ///
  /// With a pressure bound, the first reading only starts a fresh interval, the gauge's
  /// ``PressureGauge/freshInterval`` long: a gauge's figure covers the time since an earlier
  /// reading, which after an operation is the operation itself, whose own I/O would read as the
  /// machine's pressure. The protected workload needs no such interval: the run's own I/O is not
  /// in its counters.
  public func waitUntilCalm<Failure: Error>(
    expectedSeconds: Double? = nil, checkClock: () -> Void,
    onBusy: (PressureObservation) throws(Failure) -> Void
  ) throws(Failure) -> Outcome {
    guard pacing.gatesOperations else { return .calm(waitedSeconds: 0) }
    let started = now()
    if pacing.boundsPressure {
      _ = observe()
      if let request = sleep(seconds: gauge.freshInterval, checkClock: checkClock) {
        return .stopped(request)
      }
    }
    var observation = observeForStart(expectedSeconds: expectedSeconds)
    var waiting = false
    while !isCalm(observation) {
      if !waiting {
        waiting = true
        try onBusy(observation)
      }
      if let request = sleep(seconds: sampleInterval, checkClock: checkClock) {
        return .stopped(request)
      }
      observation = observeForStart(expectedSeconds: expectedSeconds)
    }
    return .calm(waitedSeconds: waiting ? max(0, now().timeIntervalSince(started)) : 0)
  }

  /// Sleeps `seconds` in slices, running `checkClock` at each; returns early with a stop request.
  public func sleep(seconds: Double, checkClock: () -> Void) -> StopRequest? {
    let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, seconds) * 1e9)
    while true {
      checkClock()
      if let request = stops.current { return request }
      let left = Double(Int64(deadline) - Int64(DispatchTime.now().uptimeNanoseconds)) / 1e9
      if left <= 0 { return nil }
      if let request = stops.wait(seconds: min(left, Self.slice)) { return request }
    }
  }

  private func isCalm(_ observation: PressureObservation) -> Bool {
    observation.pressure.map(pacing.admits) ?? false
  }
}

extension PacingGate {
  /// A gate for `pacing` on `gauge` and `workload` (``PacingSources``). A source the policy needs
  /// but that is missing reads as one that cannot be read, so that a job without it waits rather
  /// than running unpaced.
  public init(
    for pacing: Pacing, gauge: (any PressureGauge)?, workload: (any WorkloadActivity)?,
    stops: StopRequests, now: @escaping @Sendable () -> Date = { Date() },
    sampleInterval: Double = PacingGate.longestSampleInterval
  ) {
    let protected = pacing.protectedCgroup.map { cgroup in
      ProtectedWorkload(
        activity: workload ?? AbsentActivity(name: "cgroup \(cgroup)"),
        quietPeriod: pacing.protectedQuietPeriod,
        fitsQuietPeriods: pacing.finishesBeforeProtectedIO, now: now)
    }
    self.init(
      pacing: pacing, gauge: gauge ?? AbsentGauge(), workload: protected, stops: stops, now: now,
      sampleInterval: sampleInterval)
  }
}

/// The workload activity of a job given none: it cannot be read.
private struct AbsentActivity: WorkloadActivity {
  var name: String
  func didIO() throws(PressureError) -> Bool {
    throw .unreadable(path: name, reason: "the job was given no workload activity source")
  }
}

/// The gauge of a job given none: pressure cannot be read.
private struct AbsentGauge: PressureGauge {
  func sample() throws(PressureError) -> MachinePressure {
    throw .unreadable(path: "/proc/pressure", reason: "the job was given no pressure gauge")
  }
}

/// Watches pressure while an operation runs: tells when it has stayed above the in-flight bounds
/// for the policy's grace period. Unreadable pressure counts as high.
public struct PressureWatch: Sendable {
  /// The bounds and the grace period.
  public var pacing: Pacing
  /// Since when pressure has been high without a break, if it is.
  public private(set) var highSince: Date?

  public init(pacing: Pacing) {
    self.pacing = pacing
  }

  /// Notes `observation`, read at `time`; returns whether the run should yield.
  public mutating func note(_ observation: PressureObservation, at time: Date) -> Bool {
    guard let grace = pacing.gracePeriod, pacing.boundsPressure else { return false }
    if let pressure = observation.pressure, pacing.toleratesInFlight(pressure) {
      highSince = nil
      return false
    }
    let since = highSince ?? time
    highSince = since
    return time.timeIntervalSince(since) >= grace.seconds
  }
}
