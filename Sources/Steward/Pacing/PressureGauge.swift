import Foundation
import Synchronization

/// Tells how pressed the machine is now. The executor reads it before each block group and while
/// one is relocated; tests inject their own.
public protocol PressureGauge: Sendable {
  /// The pressure over the most recent interval.
  func sample() throws(PressureError) -> MachinePressure
  /// How long after a reading the next one covers only time after it: the gate waits this long
  /// after an operation before deciding, so that the operation's own I/O is not read as the
  /// machine's. 0 for a gauge whose figure is not a share of the time since a reading.
  var freshInterval: Double { get }
}

extension PressureGauge {
  public var freshInterval: Double { 0 }
}

/// The machine's pressure from Linux PSI: the share of wall time stalled over a sliding window of
/// the files' `total` counters — from the latest earlier reading at least ``minimumInterval`` old
/// to now — so that readings taken every 0.1 s each tell about the last 0.2–0.3 s (a 10-second
/// average, `avg10`, reacts too slowly to catch a foreground burst, or its end). The first
/// reading gives `avg10`. I/O pressure is the higher of the system's and the cgroup's.
public final class SystemPressureGauge: PressureGauge {
  /// The shortest window a figure covers: a shorter interval's share is noise.
  public static let minimumInterval = 0.2

  private struct Reading {
    var at: UInt64
    var io: UInt64
    var cgroupIO: UInt64?
    var memory: UInt64
  }

  private struct Readings {
    /// The readings a later window may start at, oldest first: the latest one at least
    /// ``minimumInterval`` old and every newer one.
    var kept: [Reading] = []
    /// The last figure, returned while no kept reading is old enough.
    var pressure: MachinePressure?
  }

  /// The files read.
  public let files: PressureFiles
  private let readings = Mutex(Readings())

  public var freshInterval: Double { Self.minimumInterval }

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
    let reading = Reading(
      at: now, io: io.totalMicroseconds, cgroupIO: cgroupIO?.totalMicroseconds,
      memory: memory.totalMicroseconds)
    return readings.withLock { readings in
      let window = UInt64(Self.minimumInterval * 1e9)
      defer { readings.kept.append(reading) }
      guard let start = readings.kept.lastIndex(where: { now - $0.at >= window }) else {
        let pressure =
          readings.pressure
          ?? MachinePressure(io: max(io.avg10, cgroupIO?.avg10 ?? 0), memory: memory.avg10)
        readings.pressure = pressure
        return pressure
      }
      let previous = readings.kept[start]
      readings.kept.removeFirst(start)
      let elapsedMicroseconds = Double(now - previous.at) / 1000
      func share(_ total: UInt64?, _ before: UInt64?) -> Double {
        guard let total, let before, total >= before else { return 0 }
        return min(100, Double(total - before) / elapsedMicroseconds * 100)
      }
      let pressure = MachinePressure(
        io: max(share(reading.io, previous.io), share(reading.cgroupIO, previous.cgroupIO)),
        memory: share(reading.memory, previous.memory))
      readings.pressure = pressure
      return pressure
    }
  }
}
