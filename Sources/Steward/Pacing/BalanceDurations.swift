/// How long this run's block groups took to relocate, and what that says about the next one: the
/// estimate a protected workload's quiet periods are weighed against
/// (``Pacing/finishesBeforeProtectedIO``).
public struct BalanceDurations: Hashable, Sendable {
  /// Seconds of the balances that relocated their block group, in all.
  public private(set) var seconds: Double = 0
  /// Used bytes those block groups held, in all.
  public private(set) var bytes: UInt64 = 0
  /// The quickest of them: what a balance costs however little it moves (its transaction commits).
  public private(set) var shortest: Double?

  public init() {}

  /// Adds a balance that relocated a block group of `bytes` used bytes in `seconds`.
  public mutating func record(bytes: UInt64, seconds: Double) {
    self.seconds += max(0, seconds)
    self.bytes += bytes
    shortest = min(shortest ?? .infinity, max(0, seconds))
  }

  /// The expected seconds for a block group of `bytes` used bytes: the run's seconds per byte so
  /// far, at least its quickest balance; `nil` before any balance relocated its block group.
  public func expectedSeconds(bytes: UInt64) -> Double? {
    guard let shortest else { return nil }
    guard self.bytes > 0 else { return shortest }
    return max(shortest, Double(bytes) * seconds / Double(self.bytes))
  }
}
