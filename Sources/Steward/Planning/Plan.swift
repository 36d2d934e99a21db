import Btrfs
import Foundation

/// What running a policy on a filesystem would do, and what it would gain: a value that `plan`
/// prints, the executor runs and the journal records. Making a plan never touches the filesystem.
public struct Plan: Hashable, Sendable, Codable {
  /// The filesystem's UUID.
  public var fsid: String
  /// Where the filesystem was mounted when its layout was read, if it was read from a mount.
  public var mountpoint: String?
  /// The policy's name.
  public var policyName: String
  /// The digest of the policy file the plan was made from (see ``PolicyDigest``), so that a plan is
  /// never run, or resumed, under a policy that has since changed.
  public var policyDigest: String
  /// The instant the plan was made for: windows are evaluated at it.
  public var plannedFor: Date
  /// Whether `plannedFor` falls outside every window of the policy; the executor refuses such a plan.
  public var outsideWindow: Bool
  /// The layout the plan was made from.
  public var layout: LayoutSummary
  /// The balance operations, in the order they run.
  public var operations: [PlannedOperation]
  /// What the operations together are predicted to do.
  public var outcome: PredictedOutcome
  /// Per rule, in policy order: whether it fired, what it planned and why it stopped.
  public var rules: [RuleReport]
  /// What the prediction does not cover, or what would stop a run, in words.
  public var notes: [String]

  public init(
    fsid: String, mountpoint: String?, policyName: String, policyDigest: String, plannedFor: Date,
    outsideWindow: Bool, layout: LayoutSummary, operations: [PlannedOperation],
    outcome: PredictedOutcome, rules: [RuleReport], notes: [String]
  ) {
    self.fsid = fsid
    self.mountpoint = mountpoint
    self.policyName = policyName
    self.policyDigest = policyDigest
    self.plannedFor = plannedFor
    self.outsideWindow = outsideWindow
    self.layout = layout
    self.operations = operations
    self.outcome = outcome
    self.rules = rules
    self.notes = notes
  }
}

/// The facts of a layout a plan keeps: enough to say what it was made from without carrying every
/// block group.
public struct LayoutSummary: Hashable, Sendable, Codable {
  /// When the layout was read.
  public var capturedAt: Date
  /// How many devices the filesystem has.
  public var deviceCount: Int
  /// The total size of all devices.
  public var totalBytes: UInt64
  /// Bytes of all devices not allocated to any chunk.
  public var unallocatedBytes: UInt64
  /// How many block groups there were.
  public var blockGroupCount: Int
  /// Bytes used in all block groups.
  public var usedBytes: UInt64

  /// The summary of `layout`.
  public init(_ layout: Layout) {
    capturedAt = layout.capturedAt
    deviceCount = layout.devices.count
    totalBytes = layout.totalBytes
    unallocatedBytes = layout.unallocatedBytes
    blockGroupCount = layout.blockGroups.count
    usedBytes = layout.blockGroups.reduce(0) { $0 + $1.used }
  }
}

/// What a whole plan is predicted to do.
public struct PredictedOutcome: Hashable, Sendable, Codable {
  /// Used bytes the operations move.
  public var relocatedBytes: UInt64
  /// Unallocated bytes before the first operation.
  public var unallocatedBefore: UInt64
  /// Unallocated bytes after the last operation.
  public var unallocatedAfter: UInt64
  /// Block groups before the first operation.
  public var blockGroupsBefore: Int
  /// Block groups after the last operation.
  public var blockGroupsAfter: Int
  /// Every device's unallocated space before and after; `nil` in plans journaled before it was kept.
  public var devices: [PredictedDevice]?

  public init(
    relocatedBytes: UInt64, unallocatedBefore: UInt64, unallocatedAfter: UInt64,
    blockGroupsBefore: Int, blockGroupsAfter: Int, devices: [PredictedDevice]? = nil
  ) {
    self.relocatedBytes = relocatedBytes
    self.unallocatedBefore = unallocatedBefore
    self.unallocatedAfter = unallocatedAfter
    self.blockGroupsBefore = blockGroupsBefore
    self.blockGroupsAfter = blockGroupsAfter
    self.devices = devices
  }

  /// Unallocated bytes gained (negative when lost).
  public var unallocatedGained: Int64 { Int64(unallocatedAfter) - Int64(unallocatedBefore) }
}

extension Plan {
  /// Replaces the operations not in `done` by `operations` (planned anew during the run; see
  /// ``PredictionCheck``), and notes it. The predicted outcome stays the original plan's.
  public mutating func replaceRemaining(with operations: [PlannedOperation], done: Set<Int>) {
    let kept = self.operations.filter { done.contains($0.index) }
    notes.append(
      "planned anew after \(kept.count) operations: the kernel's results differed from the "
        + "prediction by more than one chunk; \(operations.count) operations replace the "
        + "\(self.operations.count - kept.count) left")
    self.operations = kept + operations
  }
}
