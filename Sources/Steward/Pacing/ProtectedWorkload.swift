import Foundation
import Synchronization

/// The workload a run makes way for (``Pacing/protectedCgroup``): its activity, looked at before
/// each block group and every ``lookInterval`` while one is relocated, since when it has done no
/// I/O, and how long its recent quiet periods lasted (``QuietHistory``). Until the first look
/// shows it quiet, it counts as busy just now: a run does not assume a quiet it has not seen.
/// Activity that cannot be read counts as busy. Times are the clock's differences only: a clock
/// stepped back between two looks (NTP, an administrator) moves the times remembered back with it.
public final class ProtectedWorkload: Sendable {
  /// Seconds between two looks while waiting for the workload or relocating.
  public static let lookInterval = 0.02
  /// A quiet period is remembered only when the looks that saw its start and its end were each at
  /// most this long after the look before: otherwise when its I/O ended or began is not known
  /// well enough.
  static let longestTimedGap = 0.25
  /// The most quiet periods in a row that work is held back through because it would likely
  /// still run when the workload's I/O comes back: in the next one it starts as soon as the
  /// workload has been quiet for the quiet period. A workload whose quiet periods are all too
  /// short for the next block group then gets one block group every few quiet periods, at their
  /// start, rather than none until the window closes.
  public static let longestHoldBack = 2

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
    /// Whether ``lastIO`` is a look that saw I/O done since a look at most ``longestTimedGap``
    /// before it: when a quiet period began is known, and its length can be remembered.
    var sawIO = false
    /// The latest look.
    var lastLook: Date?
    var quietPeriods = QuietHistory()
    /// Whether work was held back in the current quiet period (``lookBeforeStart``).
    var heldBack = false
    /// The quiet periods in a row that ended with work held back.
    var quietPeriodsHeldBack = 0
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
  /// Work held back through ``longestHoldBack`` quiet periods in a row starts in the next one.
  public func lookBeforeStart(expectedSeconds: Double? = nil) -> PressureObservation? {
    if let busy = look() { return busy }
    let time = now()
    return watch.withLock { watch in
      let quietFor = time.timeIntervalSince(watch.lastIO)
      guard quietFor >= quietSeconds else { return .workloadBusy(activity.name) }
      if fitsQuietPeriods, let expectedSeconds,
        watch.quietPeriodsHeldBack < Self.longestHoldBack,
        !watch.quietPeriods.likelyQuiet(for: expectedSeconds, after: quietFor)
      {
        watch.heldBack = true
        return .workloadDueBack(activity.name)
      }
      watch.heldBack = false
      watch.quietPeriodsHeldBack = 0
      return nil
    }
  }

  /// While work runs: `nil` while the workload stays quiet, otherwise why the run yields.
  public func lookInFlight() -> PressureObservation? {
    look()
  }

  /// One look at a time: a scrub's devices share the workload from threads of their own, and a
  /// look's time and the counters it compares must be in the same order.
  private func look() -> PressureObservation? {
    watch.withLock { watch in
      let time = now()
      let didIO: Bool
      let failure: PressureError?
      do throws(PressureError) {
        didIO = try activity.didIO()
        failure = nil
      } catch {
        didIO = true
        failure = error
      }
      // The clock stepped back since the previous look: what is remembered moves back with it,
      // as if no time had passed between the two looks.
      if let previous = watch.lastLook, time < previous {
        watch.lastIO -= previous.timeIntervalSince(time)
        watch.lastLook = time
      }
      defer { watch.lastLook = time }
      if let failure {
        watch.lastIO = time
        watch.sawIO = false
        return .unreadable(failure)
      }
      guard didIO else { return nil }
      if watch.heldBack {
        watch.heldBack = false
        watch.quietPeriodsHeldBack += 1
      }
      // The I/O was done between the previous look and this one: when is known only if the two
      // are close (not across a rest between block groups, when nobody looks).
      let previous = watch.lastLook
      let timed = previous.map { time.timeIntervalSince($0) <= Self.longestTimedGap } ?? false
      // The quiet period ended between the previous look and this one: it lasted at least until
      // the previous look.
      if timed, watch.sawIO, let previous {
        let quiet = previous.timeIntervalSince(watch.lastIO)
        if quiet >= quietSeconds { watch.quietPeriods.record(quiet) }
      }
      watch.lastIO = time
      watch.sawIO = timed
      return .workloadBusy(activity.name)
    }
  }
}
