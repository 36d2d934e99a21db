import Foundation
import Steward

/// One contender's row of the pacing benchmark.
struct PacingRow: Codable {
  var name: String
  /// The compaction's command line; `nil` for the idle row.
  var command: [String]?
  /// The compaction's wall time; `nil` for the idle row.
  var compactionSeconds: Double?
  /// Whether the compaction finished by itself (not interrupted at the time limit).
  var finished: Bool
  /// Block groups present before and gone after.
  var blockGroupsRelocated: Int
  var unallocatedRegained: Int64
  /// The foreground's latency meanwhile.
  var latency: ForegroundLatency
  /// Where a btrfs-steward run's time went, from its journal; `nil` for the other rows.
  var timeline: PacedTimeline?
  /// Which writes were slow and what the run was doing, in a traced btrfs-steward row.
  var trace: PacingTrace?

  /// A one-line summary, printed as the row is measured.
  var line: String {
    let duration =
      compactionSeconds.map {
        String(format: "compaction %.1f s%@, ", $0, finished ? "" : " (interrupted)")
      } ?? ""
    return duration
      + String(
        format: "fsync'd writes p99 %.2f ms, p99.9 %.2f ms; reads p99 %.2f ms",
        latency.fsyncedWrites.p99, latency.fsyncedWrites.p999, latency.reads.p99)
  }
}

/// The pacing benchmark's figures and targets.
struct PacingReport: Codable {
  var foreground: ForegroundWorkload
  var usage: Int
  /// Each paced row's pacing section, by row name.
  var pacing: [String: [String]]
  var rows: [PacingRow]
  /// Whether the rows were traced (``PacingTrace``): their writes are then `O_SYNC`, each
  /// measured with its sync, instead of each followed by an fsync.
  var traced = false

  /// A target: the figure, its bound, and whether it is met.
  struct Target: Codable {
    /// The paced row it is about.
    var row: String
    var name: String
    var ratio: Double
    var bound: Double
    var met: Bool
  }

  /// The idle baseline of the latency targets: of all idle rows, the lowest fsync'd-write p99 and
  /// the lowest p99.9. A stall of the host during one idle row (seen here: a single 132 ms fsync
  /// in 24 s) would otherwise raise the baseline and flatter every paced row; the quietest idle
  /// measurement is the strictest one.
  var idleBaseline: (p99: Double, p999: Double)? {
    let idle = rows.filter { $0.command == nil }.map(\.latency.fsyncedWrites)
    guard let p99 = idle.map(\.p99).min(), let p999 = idle.map(\.p999).min() else { return nil }
    return (p99, p999)
  }

  /// Each paced row's targets.
  var targets: [Target] {
    guard let idle = idleBaseline,
      let unpaced = rows.first(where: { $0.name == "btrfs-steward unpaced" })
    else { return [] }
    return rows.filter { pacing[$0.name] != nil }.flatMap { targets(of: $0, idle, unpaced) }
  }

  private func targets(
    of paced: PacingRow, _ idle: (p99: Double, p999: Double), _ unpaced: PacingRow
  ) -> [Target] {
    func target(_ name: String, _ ratio: Double, _ bound: Double, finished: Bool = true) -> Target {
      Target(
        row: paced.name, name: name, ratio: ratio, bound: bound, met: finished && ratio <= bound)
    }
    return [
      target(
        "paced fsync'd-write p99 / idle p99",
        paced.latency.fsyncedWrites.p99 / idle.p99, 2),
      target(
        "paced fsync'd-write p99.9 / idle p99.9",
        paced.latency.fsyncedWrites.p999 / idle.p999, 3),
      target(
        "paced compaction time / unpaced compaction time",
        (paced.compactionSeconds ?? 0) / (unpaced.compactionSeconds ?? 1), 3,
        finished: paced.finished && unpaced.finished),
    ]
  }

  func rendered() -> String {
    var lines = [
      "Foreground: fio, \(foreground.busySeconds) s busy / \(foreground.quietSeconds) s quiet; "
        + "\(foreground.readIOPS) random 4 KiB direct reads/s and \(foreground.writeIOPS) "
        + "fsync'd 4 KiB writes/s when busy; loop device with direct I/O.",
      "Compaction: data block groups below \(usage) % used. Paced policies: "
        + pacing.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.joined(separator: "; "))" }
        .joined(separator: " | ") + ".",
      traced
        ? "Latency in ms (traced: write = each O_SYNC 4 KiB write, its sync included; read ="
          + " completion)."
        : "Latency in ms (fsync'd write = the fsync after each 4 KiB write; read = completion).",
      "",
    ]
    let header = [
      "contender", "compaction", "BGs", "regained", "write p50", "p99", "p99.9", "max",
      "read p50", "p99", "p99.9", "max",
    ]
    var table = [header]
    for row in rows {
      let w = row.latency.fsyncedWrites
      let r = row.latency.reads
      table.append(
        [
          row.name,
          row.compactionSeconds.map { String(format: "%.1f s", $0) + (row.finished ? "" : "*") }
            ?? "—",
          row.command == nil ? "—" : "\(row.blockGroupsRelocated)",
          row.command == nil ? "—" : signed(row.unallocatedRegained),
        ]
          + [w.p50, w.p99, w.p999, w.max, r.p50, r.p99, r.p999, r.max].map {
            String(format: "%.2f", $0)
          })
    }
    let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
    for row in table {
      lines.append(
        row.enumerated().map { column, cell in
          column == 0
            ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            : String(repeating: " ", count: widths[column] - cell.count) + cell
        }.joined(separator: "  "))
    }
    if rows.contains(where: { !$0.finished }) {
      lines.append("* interrupted at the time limit: not finished")
    }
    for row in rows {
      guard let timeline = row.timeline else { continue }
      lines.append(
        String(
          format:
            "%@: %d balances, %.1f s in the kernel; %d waits for the machine, %.1f s; "
            + "%.1f s between (fresh readings, the run's own work); %d in-flight yields, %.1f s lost.",
          row.name, timeline.balances, timeline.balanceSeconds, timeline.waits,
          timeline.waitSeconds, timeline.otherSeconds, timeline.yields, timeline.lostSeconds))
    }
    lines.append("")
    if let idle = idleBaseline {
      let count = rows.filter { $0.command == nil }.count
      lines.append(
        String(
          format: "Targets (against the quietest of %d idle rows: p99 %.2f ms, p99.9 %.2f ms):",
          count, idle.p99, idle.p999))
    } else {
      lines.append("Targets:")
    }
    for target in targets {
      lines.append(
        String(
          format: "  %@, %@: %.2f× (target ≤ %.0f×) %@", target.row, target.name, target.ratio,
          target.bound, target.met ? "MET" : "MISSED"))
    }
    return lines.joined(separator: "\n")
  }

  private func signed(_ bytes: Int64) -> String {
    (bytes < 0 ? "-" : "+") + "\(ByteCount(UInt64(abs(bytes))))"
  }
}
