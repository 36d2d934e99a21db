import Foundation

/// A traced btrfs-steward row of the pacing benchmark (`--trace-directory`): fio's log of every
/// write (`O_SYNC`, so its latency includes the sync) and the run's `--json` events, each stamped
/// with the Unix time it was read, put side by side: which writes were slow, and what the run was
/// doing when they began.
struct PacingTrace: Codable {
  /// The writes of one kind of moment, and their latency in milliseconds.
  struct Moment: Codable {
    var name: String
    var count: Int
    var p99: Double
    var max: Double
  }

  /// One of the slowest writes, and what the run was doing when it began.
  struct SlowWrite: Codable {
    var latency: Double
    /// Seconds from the start of the foreground's busy period to the write's start.
    var intoBusyPeriod: Double
    var context: String
  }

  /// Writes that overlapped a block group's balance, that began within ``afterEffect`` seconds
  /// after one ended, and the others.
  var moments: [Moment]
  var slowest: [SlowWrite]
  /// Block groups that were still in flight when a busy period began, of all balances.
  var balancesOverlappingBusyStart: Int
  var balances: Int

  /// How long after a balance ends a write still counts as in its wake.
  static let afterEffect = 0.2
  /// A pause between two writes longer than this ends a busy period.
  static let quietGap = 0.5

  /// One balance call of the run, in Unix seconds.
  private struct Balance {
    var operation: Int
    var start: Double
    var end: Double
  }

  /// Reads fio's write log (the file `<writeLog>_lat.N.log`: `time ms, latency ns, direction,
  /// size, offset` per line) and the stamped events (`seconds<TAB>json` per line).
  init(writeLog: String, events: URL) throws {
    let directory = URL(fileURLWithPath: writeLog).deletingLastPathComponent()
    let prefix = URL(fileURLWithPath: writeLog).lastPathComponent + "_lat."
    guard
      let name = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        .first(where: { $0.hasPrefix(prefix) && $0.hasSuffix(".log") })
    else { throw BenchmarkFailure("fio left no \(writeLog)_lat.N.log") }
    let log = directory.appendingPathComponent(name)
    let writes = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
      .compactMap { line -> (start: Double, latency: Double)? in
        let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard fields.count >= 2, let end = Double(fields[0]), let nanoseconds = Double(fields[1])
        else { return nil }
        return (end / 1e3 - nanoseconds / 1e9, nanoseconds / 1e6)
      }
      .sorted { $0.start < $1.start }
    guard !writes.isEmpty else { throw BenchmarkFailure("\(log.path) logs no writes") }
    let balances = try Self.balances(in: events)
    var busyStarts: [Double] = []
    for (index, write) in writes.enumerated()
    where index == 0 || write.start - writes[index - 1].start > Self.quietGap {
      busyStarts.append(write.start)
    }

    var overlapping: [Double] = []
    var inWake: [Double] = []
    var clear: [Double] = []
    var described: [SlowWrite] = []
    for write in writes {
      let end = write.start + write.latency / 1e3
      let context: String
      if let balance = balances.first(where: { $0.start < end && $0.end > write.start }) {
        overlapping.append(write.latency)
        context = String(
          format: "%.2f s into block group #%d's %.2f s balance", write.start - balance.start,
          balance.operation, balance.end - balance.start)
      } else if let balance = balances.last(where: {
        $0.end <= write.start && write.start - $0.end <= Self.afterEffect
      }) {
        inWake.append(write.latency)
        context = String(
          format: "%.3f s after block group #%d's %.2f s balance ended", write.start - balance.end,
          balance.operation, balance.end - balance.start)
      } else {
        clear.append(write.latency)
        context = "no balance in flight or just ended"
      }
      let busyStart = busyStarts.last { $0 <= write.start } ?? write.start
      described.append(
        SlowWrite(
          latency: write.latency, intoBusyPeriod: write.start - busyStart, context: context))
    }
    moments = [
      Self.moment("overlapping a balance", overlapping),
      Self.moment(String(format: "within %.1f s after one", Self.afterEffect), inWake),
      Self.moment("the others", clear),
    ]
    slowest = Array(described.sorted { $0.latency > $1.latency }.prefix(5))
    self.balances = balances.count
    balancesOverlappingBusyStart =
      balances.filter { balance in busyStarts.contains { balance.start < $0 && $0 < balance.end } }
      .count
  }

  private static func moment(_ name: String, _ latencies: [Double]) -> Moment {
    let sorted = latencies.sorted()
    let p99 = sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
    return Moment(name: name, count: sorted.count, p99: p99, max: sorted.last ?? 0)
  }

  /// The run's balance calls, from its stamped events: each from `operation-started` (or
  /// `-resumed`) to the next event that ends it.
  private static func balances(in events: URL) throws -> [Balance] {
    var balances: [Balance] = []
    var open: (operation: Int, start: Double)?
    let ends: Set<String> = [
      "operation-finished", "operation-yielded", "run-paused", "run-cancelled", "run-finished",
    ]
    for line in try String(contentsOf: events, encoding: .utf8).split(separator: "\n") {
      let parts = line.split(separator: "\t", maxSplits: 1)
      guard parts.count == 2, let time = Double(parts[0]),
        let object = try? JSONSerialization.jsonObject(with: Data(parts[1].utf8))
          as? [String: Any],
        let event = object["event"] as? String
      else { continue }
      if event == "operation-started" || event == "operation-resumed",
        let operation = object["operation"] as? Int
      {
        open = (operation, time)
      } else if ends.contains(event), let started = open {
        balances.append(Balance(operation: started.operation, start: started.start, end: time))
        open = nil
      }
    }
    return balances
  }

  /// The lines the benchmark prints under the row.
  var lines: [String] {
    [
      "\(balancesOverlappingBusyStart) of \(balances) balances in flight when a busy period began; writes:"
    ]
      + moments.map {
        String(format: "  %@: %d, p99 %.2f ms, max %.2f ms", $0.name, $0.count, $0.p99, $0.max)
      }
      + ["  slowest:"]
      + slowest.map {
        String(
          format: "    %.2f ms, %.2f s into a busy period, %@", $0.latency, $0.intoBusyPeriod,
          $0.context)
      }
  }
}

/// Copies a process's output to `file` line by line, each line stamped with the Unix time it was
/// read (`seconds<TAB>line`), on a thread of its own until the output ends.
final class StampedOutput: @unchecked Sendable {
  let pipe = Pipe()
  private let done = DispatchSemaphore(value: 0)

  init(to file: URL) throws {
    _ = FileManager.default.createFile(atPath: file.path, contents: nil)
    let output = try FileHandle(forWritingTo: file)
    let reading = pipe.fileHandleForReading
    Thread.detachNewThread { [done] in
      var pending = Data()
      while case let chunk = reading.availableData, !chunk.isEmpty {
        let time = Date().timeIntervalSince1970
        pending.append(chunk)
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
          let line = pending[pending.startIndex..<newline]
          output.write(Data(String(format: "%.6f\t", time).utf8) + line + Data("\n".utf8))
          pending = Data(pending[(newline + 1)...])
        }
      }
      try? output.close()
      done.signal()
    }
  }

  /// Waits until the process's output has ended and every line is written (the caller has closed
  /// its copy of the pipe's writing end).
  func finish() {
    done.wait()
  }
}
