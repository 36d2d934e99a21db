import Foundation
import Glibc

/// What proves that a process is the one a journal record names: its id together with its start
/// time (field 22 of `/proc/PID/stat`, in clock ticks since boot). A reused process id has another
/// start time, so a record naming a process that is gone can never make `pause` or `cancel` signal
/// an unrelated one.
public struct ProcessIdentity: Hashable, Sendable {
  /// The process id.
  public var processID: Int32
  /// When it started, in clock ticks since boot.
  public var startTime: UInt64

  public init(processID: Int32, startTime: UInt64) {
    self.processID = processID
    self.startTime = startTime
  }

  /// This process's identity.
  public static func current() -> ProcessIdentity? { of(getpid()) }

  /// The identity of the live process `processID`, or `nil` when there is none (or `/proc` does
  /// not say).
  public static func of(_ processID: Int32) -> ProcessIdentity? {
    guard processID > 0,
      let stat = try? String(contentsOfFile: "/proc/\(processID)/stat", encoding: .utf8),
      let startTime = startTime(stat: stat)
    else { return nil }
    return ProcessIdentity(processID: processID, startTime: startTime)
  }

  /// Whether this process is alive now, the very same one.
  public var isAlive: Bool { Self.of(processID) == self }

  /// The start time in the text of `/proc/PID/stat`. The command name (field 2) is in parentheses
  /// and may itself hold spaces and parentheses, so the fields are counted after its last `)`.
  static func startTime(stat: String) -> UInt64? {
    guard let close = stat.lastIndex(of: ")") else { return nil }
    // After ")": field 3 (state) onwards; the start time is field 22.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 19 else { return nil }
    return UInt64(fields[19])
  }
}
