import Foundation
import Glibc
import SystemPackage

/// A Prometheus metrics file for node_exporter's textfile collector: the last attempt on each
/// filesystem, in the text exposition format, with `fsid`, `mountpoint` and `policy` labels.
///
/// The collector reads every `*.prom` file of its directory at each scrape, so the file is replaced
/// atomically through ``DurableFile``: a scrape sees the old file or the new one, never half.
public struct MetricsFile: Hashable, Sendable {
  /// Where the file lives; node_exporter reads only names ending in `.prom`.
  public let path: String

  public init(path: String) {
    self.path = path
  }

  /// Replaces the file with the metrics of `snapshots` (one per filesystem), mode 0644.
  public func write(_ snapshots: [MetricsSnapshot]) throws(DurableFileError) {
    try replace(with: Self.text(snapshots))
  }

  /// Replaces the file with `text` (exposition format), mode 0644, through ``DurableFile``.
  func replace(with text: String) throws(DurableFileError) {
    try DurableFile.replace(path, with: Array(text.utf8), mode: 0o644)
  }

  /// The exposition-format text for `snapshots`: each metric once with its HELP and TYPE lines,
  /// then one sample per filesystem (and per label value). The `last_attempt` metrics and the
  /// devices' unallocated space are there after every attempt; the `last_run` ones only when the
  /// attempt ran.
  public static func text(_ snapshots: [MetricsSnapshot]) -> String {
    var text = ""
    func family(
      _ name: String, _ help: String,
      samples: (MetricsSnapshot) -> [(label: String?, value: String)]
    ) {
      text += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
      for snapshot in snapshots {
        for sample in samples(snapshot) {
          text += "\(name){\(labels(snapshot, extra: sample.label))} \(sample.value)\n"
        }
      }
    }
    family(
      "btrfs_steward_last_attempt_timestamp_seconds",
      "When the last btrfs-steward attempt on the filesystem (a run, or a refusal) ended, in seconds since the epoch."
    ) { [(nil, number($0.finishedAt.timeIntervalSince1970))] }
    family(
      "btrfs_steward_last_attempt_outcome",
      "How the last attempt ended, or why it was refused: 1 for its outcome, 0 for the others."
    ) { snapshot in
      let outcome = snapshot.outcome.label
      return MetricsSnapshot.Outcome.labels.map { label in
        ("outcome=\"\(label)\"", label == outcome ? "1" : "0")
      }
    }
    family(
      "btrfs_steward_last_attempt_exit_status",
      "The exit status of the last attempt (0 success, 75 paused, 80 locked…; see btrfs-steward(1))."
    ) { [(nil, "\($0.exitStatus.rawValue)")] }
    family(
      "btrfs_steward_device_unallocated_bytes",
      "Unallocated space of each device of the filesystem when the last attempt ended."
    ) { snapshot in
      snapshot.unallocatedByDevice.keys.sorted().map {
        ("devid=\"\($0)\"", "\(snapshot.unallocatedByDevice[$0] ?? 0)")
      }
    }
    family(
      "btrfs_steward_last_run_timestamp_seconds",
      "When the last btrfs-steward run on the filesystem ended, in seconds since the epoch."
    ) { $0.summary == nil ? [] : [(nil, number($0.finishedAt.timeIntervalSince1970))] }
    family(
      "btrfs_steward_last_run_duration_seconds",
      "How long the last btrfs-steward run on the filesystem took."
    ) { $0.summary == nil ? [] : [(nil, number($0.durationSeconds))] }
    family(
      "btrfs_steward_last_run_executor_cpu_seconds",
      "CPU the last run's executor used (user and system), not counting the kernel's relocation."
    ) { snapshot in snapshot.summary?.executorCPUSeconds.map { [(nil, number($0))] } ?? [] }
    family(
      "btrfs_steward_last_run_relocated_bytes",
      "Used bytes the last run relocated."
    ) { snapshot in snapshot.summary.map { [(nil, "\($0.relocatedBytes)")] } ?? [] }
    family(
      "btrfs_steward_last_run_operations",
      "Operations of the last run's plan by result; left: not reached."
    ) { snapshot in
      guard let summary = snapshot.summary else { return [] }
      return [
        ("result=\"relocated\"", "\(summary.relocated)"),
        ("result=\"skipped\"", "\(summary.skipped)"),
        ("result=\"failed\"", "\(summary.failed)"),
        ("result=\"left\"", "\(summary.left)"),
      ]
    }
    family(
      "btrfs_steward_unallocated_bytes",
      "Unallocated device space when the last run started (before) and ended (after)."
    ) { snapshot in
      guard let summary = snapshot.summary else { return [] }
      return [
        ("when=\"before\"", "\(summary.unallocatedBefore)"),
        ("when=\"after\"", "\(summary.unallocatedAfter)"),
      ]
    }
    return text
  }

  private static func labels(_ snapshot: MetricsSnapshot, extra: String?) -> String {
    var labels = [
      "fsid=\"\(escaped(snapshot.fsid))\"",
      "mountpoint=\"\(escaped(snapshot.mountpoint))\"",
      "policy=\"\(escaped(snapshot.policy))\"",
    ]
    if let extra { labels.append(extra) }
    return labels.joined(separator: ",")
  }

  /// A label value as the exposition format quotes it.
  static func escaped(_ value: String) -> String {
    value.unicodeScalars.reduce(into: "") { text, scalar in
      switch scalar {
      case "\\": text += "\\\\"
      case "\"": text += "\\\""
      case "\n": text += "\\n"
      default: text.unicodeScalars.append(scalar)
      }
    }
  }

  /// A sample value: whole numbers without a fraction, others with millisecond precision.
  private static func number(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15
      ? String(Int64(value)) : String(format: "%.3f", value)
  }
}
