import Foundation
import Synchronization

/// Tells how pressed the machine is now. The executor reads it before each block group and while
/// one is relocated; tests inject their own.
public protocol PressureGauge: Sendable {
  /// The pressure over the most recent interval.
  func sample() throws(PressureError) -> MachinePressure
}

/// The machine's pressure from Linux PSI: the share of wall time stalled between two readings of
/// the files' `total` counters (a 10-second average, `avg10`, reacts too slowly to catch a
/// foreground burst), the first reading giving `avg10`. I/O pressure is the higher of the
/// system's and the cgroup's.
public final class SystemPressureGauge: PressureGauge {
  /// Readings closer together than this return the previous figure: a short interval's share is
  /// noise.
  public static let minimumInterval = 0.2

  private struct Reading {
    var at: UInt64
    var io: UInt64
    var cgroupIO: UInt64?
    var memory: UInt64
    var pressure: MachinePressure
  }

  /// The files read.
  public let files: PressureFiles
  private let last = Mutex<Reading?>(nil)

  /// A gauge on `files`; reads them once, so that a machine without PSI (or with a file that is
  /// not what it must be) is refused here rather than at the first block group.
  public init(files: PressureFiles) throws(PressureError) {
    self.files = files
    _ = try sample()
  }

  public func sample() throws(PressureError) -> MachinePressure {
    let now = DispatchTime.now().uptimeNanoseconds
    let io = try PressureFiles.stall(at: files.systemIO).some
    let cgroupIO = try files.cgroupIO.map { path throws(PressureError) in
      try PressureFiles.stall(at: path).some
    }
    let memory = try PressureFiles.stall(at: files.systemMemory).some
    return last.withLock { last in
      guard let previous = last else {
        let pressure = MachinePressure(
          io: max(io.avg10, cgroupIO?.avg10 ?? 0), memory: memory.avg10)
        last = Reading(
          at: now, io: io.totalMicroseconds, cgroupIO: cgroupIO?.totalMicroseconds,
          memory: memory.totalMicroseconds, pressure: pressure)
        return pressure
      }
      let elapsedMicroseconds = Double(now - previous.at) / 1000
      guard elapsedMicroseconds >= Self.minimumInterval * 1e6 else { return previous.pressure }
      func share(_ total: UInt64?, _ before: UInt64?) -> Double {
        guard let total, let before, total >= before else { return 0 }
        return min(100, Double(total - before) / elapsedMicroseconds * 100)
      }
      let pressure = MachinePressure(
        io: max(
          share(io.totalMicroseconds, previous.io),
          share(cgroupIO?.totalMicroseconds, previous.cgroupIO)),
        memory: share(memory.totalMicroseconds, previous.memory))
      last = Reading(
        at: now, io: io.totalMicroseconds, cgroupIO: cgroupIO?.totalMicroseconds,
        memory: memory.totalMicroseconds, pressure: pressure)
      return pressure
    }
  }
}
