import Foundation
import Synchronization

/// The workload a run makes way for (``Pacing/protectedCgroup``): its activity, looked at before
/// each block group and every ``lookInterval`` while one is relocated, since when it has done no
/// I/O, and how long its recent quiet periods lasted (``QuietHistory``). Until the first look
/// shows it quiet, it counts as busy just now: a run does not assume a quiet it has not seen.
/// Activity that cannot be read counts as busy.
public final class ProtectedWorkload: Sendable {
  /// Seconds between two looks while waiting for the workload or relocating.
  public static let lookInterval = 0.02
  /// A quiet period is remembered only when the look before the one that saw its end was at most
  /// this long before it: otherwise when the I/O began is not known well enough.
  static let longestTimedGap = 0.25

  /// Where the activity is read.
  public let activity: any WorkloadActivity
  /// How long the workload must have been quiet before work starts.
  public let quietSeconds: Double
  /// Whether work starts only when the recent quiet periods say it will likely be done before
  /// the workload's next I/O (``Pacing/finishesBeforeProtectedIO``).
  public let fitsQuietPeriods: Bool
  private let now: @Sendable () -> Date

  private struct Watch {
    /// When the workload was last seen doing I/O (or the source made).
    var lastIO: Date
    /// Whether ``lastIO`` is a look that saw I/O (not the source's making).
    var sawIO = false
    /// The latest look.
    var lastLook: Date?
    var quietPeriods = QuietHistory()
  }
  private let watch: Mutex<Watch>

  /// Watches `activity`, which must have done no I/O for `quietPeriod` before work starts, on the
  /// clock `now`; with `fitsQuietPeriods`, work also waits while it would likely still run when
  /// the workload's I/O comes back.
  public init(
    activity: any WorkloadActivity, quietPeriod: Duration, fitsQuietPeriods: Bool,
    now: @escaping @Sendable () -> Date = { Date() }
  ) {
    self.activity = activity
    quietSeconds = quietPeriod.seconds
    self.fitsQuietPeriods = fitsQuietPeriods
    self.now = now
    watch = Mutex(Watch(lastIO: now()))
  }

  /// The quiet periods seen so far.
  public var quietPeriods: QuietHistory { watch.withLock { $0.quietPeriods } }

  /// Before work taking about `expectedSeconds` (`nil`: not known) starts: `nil` when the
  /// workload has been quiet for the quiet period (and, fitting quiet periods, the work will
  /// likely be done before its next I/O), otherwise why not.
  public func lookBeforeStart(expectedSeconds: Double? = nil) -> PressureObservation? {
    if let busy = look() { return busy }
    let (quietFor, history) = watch.withLock {
      (now().timeIntervalSince($0.lastIO), $0.quietPeriods)
    }
    guard quietFor >= quietSeconds else { return .workloadBusy(activity.name) }
    if fitsQuietPeriods, let expectedSeconds,
      !history.likelyQuiet(for: expectedSeconds, after: quietFor)
    {
      return .workloadDueBack(activity.name)
    }
    return nil
  }

  /// While work runs: `nil` while the workload stays quiet, otherwise why the run yields.
  public func lookInFlight() -> PressureObservation? {
    look()
  }

  private func look() -> PressureObservation? {
    let time = now()
    let didIO: Bool
    let failure: PressureError?
    do {
      didIO = try activity.didIO()
      failure = nil
    } catch {
      didIO = true
      failure = error
    }
    watch.withLock { watch in
      defer { watch.lastLook = time }
      guard didIO else { return }
      // The quiet period ended between the previous look and this one: it lasted at least until
      // the previous look.
      if failure == nil, watch.sawIO, let previous = watch.lastLook,
        time.timeIntervalSince(previous) <= Self.longestTimedGap
      {
        let quiet = previous.timeIntervalSince(watch.lastIO)
        if quiet >= quietSeconds { watch.quietPeriods.record(quiet) }
      }
      watch.lastIO = time
      watch.sawIO = failure == nil
    }
    if let failure { return .unreadable(failure) }
    return didIO ? .workloadBusy(activity.name) : nil
  }
}
