import Foundation

/// The machine's pressure over a recent interval: the share of wall time (in percent, 0–100) in
/// which at least one task was stalled waiting for I/O, or for memory.
public struct MachinePressure: Hashable, Sendable, Codable, CustomStringConvertible {
  /// I/O pressure (`some`), the higher of the system's and the service's cgroup's.
  public var io: Double
  /// Memory pressure (`some`).
  public var memory: Double

  public init(io: Double, memory: Double) {
    self.io = io
    self.memory = memory
  }

  /// No pressure at all.
  public static let none = MachinePressure(io: 0, memory: 0)

  public var description: String {
    "I/O pressure \(oneDecimal(io))%, memory pressure \(oneDecimal(memory))%"
  }
}
