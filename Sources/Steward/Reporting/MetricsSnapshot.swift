import Btrfs
import Foundation

/// What the last attempt on one filesystem leaves for monitoring: the values behind the metrics
/// file. Every attempt has one — a refused run too, so that a filesystem stuck below its floor or
/// behind a lock shows as such — and an attempt that ran has its run's figures.
public struct MetricsSnapshot: Hashable, Sendable {
  /// How an attempt ended: how its run ended, or why it did not run. The metrics file's `outcome`
  /// label spells it as ``label``.
  public enum Outcome: Hashable, Sendable {
    /// The run ran; its summary says how it ended (``RunSummary/ending``).
    case ran(RunSummary)
    /// The plan was empty.
    case nothingToDo
    /// The run was refused before anything was touched.
    case refused(RunRefusal)
    /// The attempt failed before its first operation (the kernel, the journal, the layout).
    case error

    /// The value of the `outcome` label: the run's ``RunOutcome/label``, `nothing-to-do`,
    /// `refused-` and the refusal's ``RunRefusal/label``, or `error`.
    public var label: String {
      switch self {
      case .ran(let summary): summary.ending.label
      case .nothingToDo: "nothing-to-do"
      case .refused(let refusal): "refused-" + refusal.label
      case .error: "error"
      }
    }

    /// Every ``label``, in the order the metrics file lists them.
    public static let labels =
      RunOutcome.labels + ["nothing-to-do"] + RunRefusal.labels.map { "refused-" + $0 } + ["error"]
  }

  /// The filesystem's UUID.
  public var fsid: String
  /// Where it is mounted.
  public var mountpoint: String
  /// The policy's name.
  public var policy: String
  /// How the attempt ended.
  public var outcome: Outcome
  /// How long the attempt took, in seconds.
  public var durationSeconds: Double
  /// When the attempt ended.
  public var finishedAt: Date
  /// The exit status the attempt gave.
  public var exitStatus: ExitStatus
  /// Unallocated bytes of each device (by devid) when the attempt ended; empty when unknown.
  public var unallocatedByDevice: [UInt64: UInt64]

  public init(
    fsid: String, mountpoint: String, policy: String, outcome: Outcome, durationSeconds: Double,
    finishedAt: Date, exitStatus: ExitStatus,
    unallocatedByDevice: [UInt64: UInt64] = [:]
  ) {
    self.fsid = fsid
    self.mountpoint = mountpoint
    self.policy = policy
    self.outcome = outcome
    self.durationSeconds = durationSeconds
    self.finishedAt = finishedAt
    self.exitStatus = exitStatus
    self.unallocatedByDevice = unallocatedByDevice
  }

  /// The snapshot of an attempt whose run ran as `summary` says, with the exit status of its
  /// ending.
  public init(
    fsid: String, mountpoint: String, policy: String, ran summary: RunSummary,
    durationSeconds: Double, finishedAt: Date, unallocatedByDevice: [UInt64: UInt64] = [:]
  ) {
    self.init(
      fsid: fsid, mountpoint: mountpoint, policy: policy, outcome: .ran(summary),
      durationSeconds: durationSeconds, finishedAt: finishedAt,
      exitStatus: summary.ending.exitStatus, unallocatedByDevice: unallocatedByDevice)
  }

  /// What the run did; `nil` when the attempt did not run (refused, nothing to do, an error).
  public var summary: RunSummary? {
    switch outcome {
    case .ran(let summary): summary
    case .nothingToDo, .refused, .error: nil
    }
  }

  /// Unallocated bytes by devid, from the devices' figures.
  public static func unallocated(of devices: [DeviceInfo]) -> [UInt64: UInt64] {
    Dictionary(devices.map { ($0.devid, $0.unallocatedBytes) }) { $1 }
  }
}
