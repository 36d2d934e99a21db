import Btrfs
import Foundation

/// What the last attempt on one filesystem leaves for monitoring: the values behind the metrics
/// file. Every attempt has one — a refused run too, so that a filesystem stuck below its floor or
/// behind a lock shows as such — and an attempt that ran has its run's figures.
public struct MetricsSnapshot: Hashable, Sendable {
  /// How an attempt ended, as the `outcome` label spells it: how a run ended, or why it was refused.
  public enum Outcome: String, Hashable, Sendable, CaseIterable {
    case completed
    case goalReached = "goal-reached"
    case limitReached = "limit-reached"
    case noSpace = "no-space"
    case cancelled
    case failed
    case paused
    /// The plan was empty.
    case nothingToDo = "nothing-to-do"
    case refusedNotRoot = "refused-not-root"
    case refusedExclusiveOperation = "refused-exclusive-operation"
    case refusedForeignBalance = "refused-foreign-balance"
    case refusedLocked = "refused-locked"
    case refusedOnBattery = "refused-on-battery"
    case refusedPolicyContradiction = "refused-policy-contradiction"
    case refusedCannotConvert = "refused-cannot-convert"
    case refusedUnknownDevice = "refused-unknown-device"
    case refusedBelowUnallocatedFloor = "refused-below-unallocated-floor"
    case refusedOutsideWindow = "refused-outside-window"
    /// The attempt failed before its first operation (the kernel, the journal, the layout).
    case error

    /// The outcome of an executor's run.
    public init(_ end: RunEnd) {
      switch end {
      case .paused: self = .paused
      case .cancelled: self = .cancelled
      case .finished(let summary):
        switch summary.ending {
        case .completed: self = .completed
        case .goalReached: self = .goalReached
        case .limitReached: self = .limitReached
        case .noSpace: self = .noSpace
        case .cancelled: self = .cancelled
        case .failed: self = .failed
        }
      }
    }

    /// The outcome of a refused run.
    public init(_ refusal: RunRefusal) {
      switch refusal {
      case .notRoot: self = .refusedNotRoot
      case .exclusiveOperation: self = .refusedExclusiveOperation
      case .foreignBalance: self = .refusedForeignBalance
      case .lockedBySteward, .lockedByBtrfsMaintenance: self = .refusedLocked
      case .onBattery: self = .refusedOnBattery
      case .policyContradicts: self = .refusedPolicyContradiction
      case .cannotConvert: self = .refusedCannotConvert
      case .unknownDevices: self = .refusedUnknownDevice
      case .belowUnallocatedFloor: self = .refusedBelowUnallocatedFloor
      case .outsideWindow: self = .refusedOutsideWindow
      }
    }
  }

  /// The filesystem's UUID.
  public var fsid: String
  /// Where it is mounted.
  public var mountpoint: String
  /// The policy's name.
  public var policy: String
  /// How the attempt ended.
  public var outcome: Outcome
  /// What the run did; `nil` when the attempt did not run (refused, nothing to do, an error).
  public var summary: RunSummary?
  /// How long the attempt took, in seconds.
  public var durationSeconds: Double
  /// When the attempt ended.
  public var finishedAt: Date
  /// The exit status the attempt gave.
  public var exitStatus: ExitStatus
  /// Unallocated bytes of each device (by devid) when the attempt ended; empty when unknown.
  public var unallocatedByDevice: [UInt64: UInt64]

  public init(
    fsid: String, mountpoint: String, policy: String, outcome: Outcome, summary: RunSummary?,
    durationSeconds: Double, finishedAt: Date, exitStatus: ExitStatus,
    unallocatedByDevice: [UInt64: UInt64] = [:]
  ) {
    self.fsid = fsid
    self.mountpoint = mountpoint
    self.policy = policy
    self.outcome = outcome
    self.summary = summary
    self.durationSeconds = durationSeconds
    self.finishedAt = finishedAt
    self.exitStatus = exitStatus
    self.unallocatedByDevice = unallocatedByDevice
  }

  /// The snapshot of an executor's run that ended with `end`.
  public init(
    fsid: String, mountpoint: String, policy: String, end: RunEnd, durationSeconds: Double,
    finishedAt: Date, unallocatedByDevice: [UInt64: UInt64] = [:]
  ) {
    self.init(
      fsid: fsid, mountpoint: mountpoint, policy: policy, outcome: Outcome(end),
      summary: end.summary, durationSeconds: durationSeconds, finishedAt: finishedAt,
      exitStatus: end.exitStatus, unallocatedByDevice: unallocatedByDevice)
  }

  /// Unallocated bytes by devid, from the devices' figures.
  public static func unallocated(of devices: [DeviceInfo]) -> [UInt64: UInt64] {
    Dictionary(devices.map { ($0.devid, $0.unallocatedBytes) }) { $1 }
  }
}
