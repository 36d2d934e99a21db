import Foundation
import Synchronization

/// The workload a run makes way for (``Pacing/protectedCgroup``): its activity, looked at before
/// each block group and every ``lookInterval`` while one is relocated, and since when it has done
/// no I/O. Until the first look shows it quiet, it counts as busy just now: a run does not assume
/// a quiet it has not seen. Activity that cannot be read counts as busy.
public final class ProtectedWorkload: Sendable {
  /// Seconds between two looks while waiting for the workload or relocating.
  public static let lookInterval = 0.02

  /// Where the activity is read.
  public let activity: any WorkloadActivity
  /// How long the workload must have been quiet before work starts.
  public let quietSeconds: Double
  private let now: @Sendable () -> Date
  /// When the workload was last seen doing I/O (or the source made).
  private let lastIO: Mutex<Date>

  /// Watches `activity`, which must have done no I/O for `quietPeriod` before work starts, on the
  /// clock `now`.
  public init(
    activity: any WorkloadActivity, quietPeriod: Duration,
    now: @escaping @Sendable () -> Date = { Date() }
  ) {
    self.activity = activity
    quietSeconds = quietPeriod.seconds
    self.now = now
    lastIO = Mutex(now())
  }

  /// Before work starts: `nil` when the workload has been quiet for the quiet period, otherwise
  /// why not.
  public func lookBeforeStart() -> PressureObservation? {
    if let busy = look() { return busy }
    let quietFor = lastIO.withLock { now().timeIntervalSince($0) }
    return quietFor >= quietSeconds ? nil : .workloadBusy(activity.name)
  }

  /// While work runs: `nil` while the workload stays quiet, otherwise why the run yields.
  public func lookInFlight() -> PressureObservation? {
    look()
  }

  private func look() -> PressureObservation? {
    let time = now()
    do {
      guard try activity.didIO() else { return nil }
      lastIO.withLock { $0 = time }
      return .workloadBusy(activity.name)
    } catch {
      lastIO.withLock { $0 = time }
      return .unreadable(error)
    }
  }
}
