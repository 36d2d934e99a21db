import Btrfs
import Foundation
import Steward

/// The file a paced `btrfs-steward run` reads pressure from instead of PSI (``InjectedPressureGauge``,
/// named in its environment), which the test raises and lowers.
struct InjectedPressure {
  /// The file.
  let path: String
  /// High enough to make any paced policy wait, and to count as high in flight.
  static let high = 90.0

  /// A pressure file in `directory`, reading `percent` until ``set(_:)`` changes it.
  init(in directory: URL, percent: Double) throws {
    path = directory.appendingPathComponent("pressure").path
    try set(percent)
  }

  /// The environment that points a run at the file.
  var environment: [String: String] { [InjectedPressureGauge.environmentVariable: path] }

  /// Replaces the file atomically, so the run never reads it half written.
  func set(_ percent: Double) throws {
    let partial = path + ".partial"
    try "\(percent)\n".write(toFile: partial, atomically: false, encoding: .utf8)
    guard rename(partial, path) == 0 else {
      throw PacedRunFailure(description: "rename \(partial): \(String(cString: strerror(errno)))")
    }
  }

  /// Raises pressure as soon as each block group of `run` starts (its start is journaled before
  /// the balance ioctl) and lowers it when one ends without a yield, until the run yields one in
  /// flight; returns that operation's index and block group address, pressure left high, so that
  /// the run waits for the machine before the retry. Throws when `process` exits first or after
  /// `timeout` seconds.
  func raiseUntilYield(
    _ run: StewardRun, _ process: Process, timeout: Double
  ) throws -> (index: Int, vaddr: UInt64) {
    var raisedAtStart = 0
    var high = false
    return try poll("an operation yielded in flight", timeout: timeout, interval: 0.002) {
      let records = try run.records()
      var starts: [(index: Int, vaddr: UInt64)] = []
      for record in records {
        switch record.event {
        case .operationStarted(let index, let vaddr, _): starts.append((index, vaddr))
        case .operationYielded(let index, _):
          return starts.last { $0.index == index }
        default: break
        }
      }
      guard process.isRunning else {
        throw PacedRunFailure(
          description: "the run exited (\(process.terminationStatus)) without yielding: "
            + records.map {
              String(format: "%.2f s ", $0.time.timeIntervalSince(records[0].time))
                + String("\($0.event)".prefix(140))
            }.joined(separator: ", "))
      }
      if starts.count > raisedAtStart, case .operationStarted? = records.last?.event {
        raisedAtStart = starts.count
        try set(Self.high)
        high = true
      } else if high, starts.count == raisedAtStart {
        // The block group in flight ended without a yield (the kernel was quicker): let the next
        // one start, and raise pressure again then.
        if case .operationStarted? = records.last?.event {
        } else {
          try set(0)
          high = false
        }
      }
      return nil
    }
  }
}

/// A paced run on a scratch filesystem did not do what the test drove it to.
struct PacedRunFailure: Error, CustomStringConvertible {
  var description: String
}

/// Ends `process` if it still runs (SIGTERM, then SIGKILL after 30 s), so that a failing test never
/// leaves a run on the scratch filesystem it is about to unmount.
func endIfRunning(_ process: Process) {
  guard process.isRunning else { return }
  process.terminate()
  let deadline = Date() + 30
  while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
  if process.isRunning { kill(process.processIdentifier, SIGKILL) }
  process.waitUntilExit()
}

/// Fills a 6 GiB scratch filesystem, made with data chunks of `chunkMiB` (512 by default), with
/// 896 MiB of 4 KiB files and deletes more than half. With 512 MiB chunks that makes two data block
/// groups, the lighter (some 160 MiB in 40,000 extents) fitting in the other's holes: relocating it
/// gains a chunk, and takes the kernel about 3.5 s on an idle 2-core machine (more on a busy one) —
/// well over a one-second grace period, so that a yield lands inside it. With 256 MiB chunks it
/// makes four, of 64 to 184 MiB, taking 1.5 to 5 s each: several operations, most of them long.
func fragmentIntoLargeBlockGroups(
  _ scratch: ScratchFilesystem, seed: UInt64, chunkMiB: Int = 512
) throws {
  let fsid = try FileSystem(path: scratch.mountpoint).info().fsid
  try Data("\(chunkMiB << 20)".utf8).write(
    to: URL(fileURLWithPath: "/sys/fs/btrfs/\(fsid)/allocation/data/chunk_size"))
  try scratch.fragment(fileCount: 112, fileSize: 8 << 20, seed: seed, pieceSize: 4 << 10)
}
