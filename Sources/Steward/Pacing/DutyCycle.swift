/// The adaptive duty cycle: at most a share of the run's wall time is spent relocating. It is
/// measured from the run's own operation times, so a slow block group buys a long rest and a
/// quick one a short rest, whatever the machine.
public struct DutyCycle: Hashable, Sendable {
  /// The largest share of wall time busy, above 0 and at most 1.
  public var maxBusyShare: Double
  /// Seconds spent in operations so far.
  public private(set) var busySeconds: Double = 0

  /// A duty cycle allowing `percent` % of wall time busy.
  public init(maxBusyPercent percent: Double) {
    maxBusyShare = min(1, max(percent, 0.1) / 100)
  }

  /// Adds an operation's duration.
  public mutating func recordOperation(seconds: Double) {
    busySeconds += max(0, seconds)
  }

  /// How long to rest, after `wallSeconds` of the run, so that the busy share is back within the
  /// bound: `busy / share - wall`, or 0.
  public func rest(afterWallSeconds wallSeconds: Double) -> Double {
    max(0, busySeconds / maxBusyShare - wallSeconds)
  }
}
