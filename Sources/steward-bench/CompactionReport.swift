import Btrfs
import Foundation
import Steward

/// The compaction benchmark's result: the image, every contender's outcome (btrfs-steward first)
/// and the targets, as printed and as written to JSON.
struct CompactionReport: Codable {
  /// The filesystem every contender started from.
  var image: ImageFacts
  /// The `usage` threshold of the least-used contenders (btrfs-steward and python-btrfs).
  var usageThreshold: Int
  /// btrfs-steward's goal, `unallocated-above`, in bytes: what python-btrfs ended with.
  var stewardGoal: UInt64
  /// btrfs-steward's policy.
  var stewardPolicy: String
  /// The passes btrfsmaintenance's installed configuration asks for.
  var btrfsMaintenancePasses: [String]
  var contenders: [ContenderOutcome]
  /// The timed rounds of btrfs-steward and python-btrfs (the first is the contenders' own).
  var timing: CompactionTimingRounds
  var targets: [TargetOutcome]

  /// The report, with ratios against `steward` and the targets judged against `python` and
  /// `usageBalance`, the wall-time and CPU ones on `timing`'s medians.
  init(
    image: ImageFacts, usageThreshold: Int, steward: StewardLeastUsed,
    outcomes: (
      steward: ContenderOutcome, python: ContenderOutcome, maintenance: ContenderOutcome,
      usageBalance: ContenderOutcome
    ),
    timing: CompactionTimingRounds
  ) {
    self.image = image
    self.usageThreshold = usageThreshold
    stewardGoal = steward.goal
    stewardPolicy = steward.policy
    btrfsMaintenancePasses = BtrfsMaintenanceBalance.passes()
    contenders = [outcomes.steward, outcomes.python, outcomes.maintenance, outcomes.usageBalance]
      .map {
        var outcome = $0
        outcome.againstSteward = StewardRatios($0, steward: outcomes.steward)
        return outcome
      }
    self.timing = timing
    targets = TargetOutcome.judge(
      steward: outcomes.steward, python: outcomes.python, usageBalance: outcomes.usageBalance,
      timing: timing)
  }

  /// The table and the target lines.
  func rendered() -> String {
    let header = [
      "contender", "data relocated", "data BGs", "other BGs", "device writes", "unalloc regained",
      "reloc/regain",
      "wall", "CPU user+sys", "CPU/wall", "regain vs st.", "reloc/regain vs st.",
    ]
    let rows = contenders.map { outcome -> [String] in
      [
        outcome.name, "\(ByteCount(outcome.dataBytesRelocated))",
        "\(outcome.dataBlockGroupsRelocated)", "\(outcome.otherBlockGroupsRelocated)",
        "\(ByteCount(outcome.deviceBytesWritten))", signedBytes(outcome.unallocatedRegained),
        decimal(outcome.relocatedPerRegained, "%.3f"),
        String(format: "%.1f s", outcome.run.wallSeconds),
        String(format: "%.2f+%.2f s", outcome.run.userSeconds, outcome.run.systemSeconds),
        String(format: "%.2f %%", outcome.cpuPercentOfWall),
        decimal(outcome.againstSteward?.unallocatedRegained, "%.2fx"),
        decimal(outcome.againstSteward?.relocatedPerRegained, "%.2fx"),
      ]
    }
    var lines = table([header] + rows)
    if let steward = contenders.first?.steward {
      lines.append("")
      lines.append(
        "btrfs-steward predicted: \(steward.plannedOperations) operations, "
          + "\(ByteCount(steward.predicted.relocatedBytes)) relocated, unallocated "
          + "\(ByteCount(steward.predicted.unallocatedBefore)) → "
          + "\(ByteCount(steward.predicted.unallocatedAfter)) "
          + "(\(signedBytes(steward.predicted.unallocatedGained)))")
      if let summary = steward.journaled {
        lines.append(
          "btrfs-steward journaled: \(summary.ending.label), \(summary.relocated) relocated, "
            + "\(summary.skipped) skipped, \(summary.failed) failed, \(summary.left) left, "
            + "\(ByteCount(summary.relocatedBytes)) relocated, unallocated "
            + "\(ByteCount(summary.unallocatedBefore)) → \(ByteCount(summary.unallocatedAfter))")
      }
    }
    lines.append("")
    lines += targets.map { "\($0.met ? "MET   " : "MISSED") \($0.target): \($0.figures)" }
    return lines.joined(separator: "\n")
  }

  /// Rows as aligned columns: the first left-aligned, the others right-aligned.
  private func table(_ rows: [[String]]) -> [String] {
    let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    return rows.map { row in
      row.enumerated().map { column, cell in
        let padding = String(repeating: " ", count: widths[column] - cell.count)
        return column == 0 ? cell + padding : padding + cell
      }.joined(separator: "  ")
    }
  }
}

/// The filesystem every contender started from.
struct ImageFacts: Codable {
  var size: String
  var dataChunkSize: UInt64
  var fileCount: Int
  var fileSize: Int
  var seed: UInt64
  var totalBytes: UInt64
  var unallocatedBytes: UInt64
  var dataBlockGroups: Int
  var dataUsedBytes: UInt64
  /// The usage of each data block group in percent, in address order.
  var dataUsagePercents: [Int]

  init(_ image: CompactionImage, layout: Layout) {
    size = image.size
    dataChunkSize = image.dataChunkSize
    fileCount = image.fileCount
    fileSize = image.fileSize
    seed = image.seed
    totalBytes = layout.totalBytes
    unallocatedBytes = layout.unallocatedBytes
    let data = layout.blockGroups.filter { $0.type == .data }
    dataBlockGroups = data.count
    dataUsedBytes = data.reduce(0) { $0 + $1.used }
    dataUsagePercents = data.map { Int($0.usagePercent.rounded()) }
  }

  /// One line for people.
  var summary: String {
    "\(size) image, \(fileCount) files of \(ByteCount(UInt64(fileSize))) written (seed \(seed)) "
      + "and a share deleted: \(dataBlockGroups) data block groups of "
      + "\(ByteCount(dataChunkSize)) holding \(ByteCount(dataUsedBytes)), "
      + "\(ByteCount(unallocatedBytes)) unallocated of \(ByteCount(totalBytes)); data usage % "
      + "by address: \(dataUsagePercents.map(String.init).joined(separator: " "))"
  }
}

/// Whether one target of the benchmark was met, with the figures it was judged on.
struct TargetOutcome: Codable {
  var target: String
  var met: Bool
  var figures: String

  /// The targets of the benchmark.
  static func judge(
    steward: ContenderOutcome, python: ContenderOutcome, usageBalance: ContenderOutcome,
    timing: CompactionTimingRounds
  ) -> [TargetOutcome] {
    let stewardCost = steward.relocatedPerRegained
    let pythonCost = python.relocatedPerRegained
    let usageCost = usageBalance.relocatedPerRegained
    let regainsEnough = steward.unallocatedRegained >= python.unallocatedRegained
    let cheapEnough = stewardCost.map { cost in pythonCost.map { cost <= $0 } ?? true } ?? false
    let error = steward.predictionErrorPercent
    return [
      TargetOutcome(
        target: "regain at least \(python.name)'s unallocated space at ≤ 1.0x its bytes "
          + "relocated per byte regained",
        met: regainsEnough && cheapEnough,
        figures: "regained \(signedBytes(steward.unallocatedRegained)) vs "
          + "\(signedBytes(python.unallocatedRegained)); \(decimal(stewardCost, "%.3f")) vs "
          + "\(decimal(pythonCost, "%.3f")) bytes relocated per byte regained "
          + "(\(decimal(ratio(stewardCost, pythonCost), "%.2fx")))"),
      TargetOutcome(
        target: "at least 2x fewer bytes relocated per byte regained than \(usageBalance.name)",
        met: stewardCost.map { cost in usageCost.map { 2 * cost <= $0 } ?? true } ?? false,
        figures: "\(decimal(stewardCost, "%.3f")) vs \(decimal(usageCost, "%.3f")) "
          + "(\(decimal(ratio(usageCost, stewardCost), "%.2fx")) fewer)"),
      TargetOutcome(
        target: "prediction error < 5% of unallocated regained",
        met: error.map { $0 < 5 } ?? false,
        figures: "predicted \(signedBytes(steward.steward?.predicted.unallocatedGained ?? 0)), "
          + "regained \(signedBytes(steward.unallocatedRegained)): "
          + "\(decimal(error, "%.2f %%")) error"),
      cpuTarget(steward, timing),
      wallTarget(python, timing),
      executorCPUTarget(timing),
    ]
  }

  /// btrfs-steward's wall time for the same plan beside python-btrfs's balancer (start-up,
  /// policy, layout, planning, journal and the work between operations included): the median of
  /// the rounds' ratios.
  private static func wallTarget(
    _ python: ContenderOutcome, _ timing: CompactionTimingRounds
  ) -> TargetOutcome {
    let target = "btrfs-steward's wall time ≤ 1.05x \(python.name)'s"
    guard let ratios = timing.spread(\.wallRatio),
      let steward = timing.spread({ $0.stewardWallSeconds }),
      let peer = timing.spread({ $0.pythonWallSeconds })
    else { return TargetOutcome(target: target, met: false, figures: "no timed round") }
    return TargetOutcome(
      target: target, met: ratios.median <= 1.05,
      figures: String(
        format: "median of %d rounds %.2fx (%.2f–%.2fx); %.2f s (%.2f–%.2f) vs %.2f s (%.2f–%.2f)",
        timing.rounds.count, ratios.median, ratios.min, ratios.max, steward.median, steward.min,
        steward.max, peer.median, peer.min, peer.max))
  }

  /// The executor's own thread's CPU time (user and system, counted exactly), per operation: the
  /// median of the rounds.
  private static func executorCPUTarget(_ timing: CompactionTimingRounds) -> TargetOutcome {
    let target = "the executor's own CPU < 1 ms per operation"
    guard let perOperation = timing.spread(\.executorSecondsPerOperation) else {
      return TargetOutcome(target: target, met: false, figures: "no journaled summary")
    }
    return TargetOutcome(
      target: target, met: perOperation.median < 0.001,
      figures: String(
        format: "median of %d rounds %.2f ms each (%.2f–%.2f)", timing.rounds.count,
        perOperation.median * 1000, perOperation.min * 1000, perOperation.max * 1000))
  }

  /// btrfs-steward's own CPU time outside the kernel (user time) against the run's wall time,
  /// pooled over the rounds (`CompactionTimingRounds.pooledUserPercentOfWall`), with the rounds'
  /// median and range beside it. The first round's system time is reported too: for a balance it
  /// is mostly the kernel relocating inside the ioctl, charged to the calling thread. The `plan`
  /// run shows how much of the user time is start-up, reading and planning, which a longer run
  /// would not repeat.
  private static func cpuTarget(
    _ steward: ContenderOutcome, _ timing: CompactionTimingRounds
  ) -> TargetOutcome {
    let run = steward.run
    let userPercent = timing.spread(\.userPercentOfWall)
    let pooled = timing.pooledUserPercentOfWall
    var figures = String(
      format: "%.2f %% over all %d rounds (median %.2f %%, %.2f–%.2f %%); the first: %.0f ms user "
        + "over %.2f s wall (and %.2f s sys, the kernel's relocation inside the ioctl)", pooled,
      timing.rounds.count, userPercent?.median ?? 0, userPercent?.min ?? 0, userPercent?.max ?? 0,
      run.userSeconds * 1000, run.wallSeconds, run.systemSeconds)
    if let report = steward.steward {
      figures += String(
        format: "; `plan` alone (start-up, policy, layout, planning) takes %.0f ms user",
        report.planning.userSeconds * 1000)
    }
    return TargetOutcome(
      target: "btrfs-steward's own CPU time outside the kernel (user) < 1% of wall time",
      met: !timing.rounds.isEmpty && pooled < 1, figures: figures)
  }
}

/// `value` divided by `reference`, or `nil` when either is missing or the reference is zero.
func ratio(_ value: Double?, _ reference: Double?) -> Double? {
  guard let value, let reference, reference != 0 else { return nil }
  return value / reference
}

/// `format` applied to `value`, or `—` when there is none.
func decimal(_ value: Double?, _ format: String) -> String {
  value.map { String(format: format, $0) } ?? "—"
}

/// A signed byte count such as `+2.25GiB` or `-256.00MiB`.
func signedBytes(_ bytes: Int64) -> String {
  (bytes < 0 ? "-" : "+") + "\(ByteCount(bytes.magnitude))"
}
