/// How often a reading that costs CPU time may be taken: readings are spaced by their own cost so
/// that taking them uses at most ``share`` of the time. A cgroup's `io.stat` (microseconds) is read
/// at every look; a cgroup without it, whose look walks its processes' `/proc/PID/io`, is read
/// less often as it grows, instead of keeping the executor's thread busy.
struct ReadingBudget: Sendable {
  /// The most of the time readings take, unless told otherwise.
  static let defaultShare = 0.05
  /// The most of the time readings may take.
  let share: Double
  /// When the next reading may be taken.
  private(set) var nextReading: SuspendingClock.Instant?

  init(share: Double = defaultShare) { self.share = share }

  /// Whether a reading may be taken at `now`.
  func allowsReading(at now: SuspendingClock.Instant) -> Bool {
    nextReading.map { now >= $0 } ?? true
  }

  /// Notes a reading that began at `start` and ended at `end`.
  mutating func tookReading(from start: SuspendingClock.Instant, to end: SuspendingClock.Instant) {
    let cost = max(end - start, .zero)
    nextReading = start + cost / share
  }
}
