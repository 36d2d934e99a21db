import Btrfs
import Foundation

/// One line of a filesystem's journal: an event of one run, with when it happened.
public struct JournalRecord: Hashable, Sendable, Codable {
  /// The run the event belongs to.
  public var run: String
  /// When it happened.
  public var time: Date
  /// What happened.
  public var event: JournalEvent

  public init(run: String, time: Date, event: JournalEvent) {
    self.run = run
    self.time = time
    self.event = event
  }
}

/// What a journal record says. Each is written before the action it announces, and fsync'd unless
/// a later run finds out again from the kernel what it says (``Journal/note(_:)``).
public enum JournalEvent: Hashable, Sendable, Codable {
  /// A run began with this plan, made from the policy file at `policyPath`, in the process
  /// `processID` started at `processStart` (see ``ProcessIdentity``).
  case runStarted(plan: Plan, policyPath: String?, processID: Int32, processStart: UInt64? = nil)
  /// The run continues after a pause or a crash, in a new process.
  case runResumed(processID: Int32, processStart: UInt64? = nil)
  /// The balance for this operation is about to be started.
  case operationStarted(index: Int, vaddr: UInt64, arguments: BalanceArguments)
  /// The kernel's paused balance for this operation is about to be resumed.
  case operationResumed(index: Int)
  /// The operation ended.
  case operationFinished(index: Int, result: OperationResult)
  /// The run paused (the kernel's balance, if one was running, is paused too).
  case paused(reason: StopReason, operation: Int?)
  /// The run was cancelled (the kernel's balance, if any, is cancelled).
  case cancelled(reason: StopReason, operation: Int?)
  /// The run ended.
  case runFinished(summary: RunSummary)
  /// The run waits for the machine (its pressure, `nil` when unreadable, is above the policy's
  /// bounds, or the protected workload `busyWorkload`, as ``WorkloadActivity/name`` names it, is
  /// doing I/O) before starting or resuming operation `operation` (`nil`: before the next one).
  case waitingForMachine(
    operation: Int?, pressure: MachinePressure?, busyWorkload: String? = nil)
  /// The machine is calm again after a wait of `waitedSeconds`.
  case machineCalm(waitedSeconds: Double)
  /// The balance of operation `index` was cancelled in flight because the machine was pressed;
  /// the `lostSeconds` of work on it are lost and the operation will be run again (the same
  /// operation, not a new one). Nothing of it is in flight any more.
  case operationYielded(index: Int, lostSeconds: Double)
  /// After this operation the kernel left `realUnallocated` bytes unallocated where the plan
  /// predicted `predictedUnallocated`.
  case predictionChecked(index: Int, predictedUnallocated: UInt64, realUnallocated: UInt64)
  /// The operations not yet run are replaced by these, planned on the filesystem as it is now,
  /// because the kernel's results differed from the prediction by more than one chunk.
  case replanned(operations: [PlannedOperation])

  // Maintenance jobs (scrub, error watch, trim): records of their own runs, which balance runs'
  // replay ignores. See ``MaintenanceReplay``.

  /// A scrub job began on these devices.
  case scrubStarted(devices: [UInt64], readOnly: Bool, policyPath: String?, processID: Int32)
  /// The open scrub job continues after a pause or a crash, in a new process.
  case scrubResumed(processID: Int32)
  /// Device `devid`'s scrub speed limit is about to be changed from `original` (written first, so
  /// that a crash still lets the next run restore it).
  case scrubSpeedLimitSet(devid: UInt64, original: UInt64, applied: UInt64)
  /// Device `devid`'s scrub speed limit was set back to its original value.
  case scrubSpeedLimitRestored(devid: UInt64)
  /// One device extent was scrubbed to its end, with the kernel's counters for it.
  case scrubExtentFinished(
    devid: UInt64, physical: UInt64, chunkVaddr: UInt64, counters: ScrubCounters)
  /// Where the scrub of the device extent at `physical` had got to (written at the progress
  /// interval; the kernel restarts an interrupted extent from its start).
  case scrubProgress(devid: UInt64, physical: UInt64, counters: ScrubCounters)
  /// The scrub job paused; the next scrub run resumes it at its first unfinished device extent.
  case scrubPaused(reason: StopReason)
  /// The scrub job was cancelled.
  case scrubCancelled(reason: StopReason)
  /// The scrub job scrubbed every device extent of its devices.
  case scrubFinished(totals: [UInt64: ScrubCounters])
  /// Device `devid`'s error counters as read now: the baseline the next reading is compared with.
  case deviceStatsRead(devid: UInt64, stats: DeviceStats)
  /// A trim of the filesystem's free space ended.
  case trimFinished(trimmedBytes: UInt64)
}

/// How one operation ended.
public enum OperationResult: Hashable, Sendable, Codable {
  /// The block group was relocated; `relocatedBytes` of used data moved and unallocated space was
  /// `unallocatedAfter` afterwards.
  case relocated(relocatedBytes: UInt64, unallocatedAfter: UInt64)
  /// The operation was not run, for the reason given.
  case skipped(reason: String)
  /// The kernel ran out of space.
  case noSpace
  /// The kernel refused or failed, with this message.
  case failed(message: String)

  /// Whether the block group was relocated.
  public var isRelocated: Bool {
    if case .relocated = self { return true }
    return false
  }
}

/// Why a run stopped before its plan was done.
public enum StopReason: String, Hashable, Sendable, Codable, CustomStringConvertible {
  /// SIGTERM or SIGINT (systemd stop, Ctrl-C).
  case signal
  /// A time window of the policy closed.
  case windowClosed = "window-closed"
  /// The policy's max-runtime was reached.
  case maxRuntime = "max-runtime"
  /// The policy requires AC power and the machine went on battery.
  case onBattery = "on-battery"
  /// Someone paused or cancelled the balance from outside (`btrfs-steward pause|cancel`, `btrfs
  /// balance pause|cancel`).
  case external
  /// A newer plan replaced this one.
  case superseded

  public var description: String {
    switch self {
    case .signal: "a signal (SIGTERM/SIGINT)"
    case .windowClosed: "the time window closed"
    case .maxRuntime: "max-runtime was reached"
    case .onBattery: "the machine went on battery"
    case .external: "a request from outside"
    case .superseded: "a newer plan replaced it"
    }
  }
}

/// What a run did, and how it ended.
public struct RunSummary: Hashable, Sendable {
  /// How it ended.
  public var ending: RunOutcome
  /// Operations that relocated their block group.
  public var relocated: Int
  /// Operations skipped (gone, no longer matching, unmovable, ENOSPC with `on-enospc: skip`).
  public var skipped: Int
  /// Operations that failed.
  public var failed: Int
  /// Operations of the plan never reached.
  public var left: Int
  /// Used bytes moved.
  public var relocatedBytes: UInt64
  /// Unallocated space when the run started and when it ended.
  public var unallocatedBefore: UInt64
  public var unallocatedAfter: UInt64
  /// CPU seconds, user and system, that the executor of the process that ended the run used:
  /// re-reading block groups, journaling, polling progress. The balance ioctls, in which the
  /// kernel relocates, run in a thread of their own and are not counted. `nil` when not measured.
  public var executorCPUSeconds: Double?

  public init(
    ending: RunOutcome, relocated: Int, skipped: Int, failed: Int, left: Int,
    relocatedBytes: UInt64, unallocatedBefore: UInt64, unallocatedAfter: UInt64,
    executorCPUSeconds: Double? = nil
  ) {
    self.ending = ending
    self.relocated = relocated
    self.skipped = skipped
    self.failed = failed
    self.left = left
    self.relocatedBytes = relocatedBytes
    self.unallocatedBefore = unallocatedBefore
    self.unallocatedAfter = unallocatedAfter
    self.executorCPUSeconds = executorCPUSeconds
  }

  /// Unallocated bytes gained (negative when lost).
  public var unallocatedGained: Int64 { Int64(unallocatedAfter) - Int64(unallocatedBefore) }
}

/// A summary is stored as it always was: `ending` is the outcome's ``RunOutcome/label``, and a
/// paused or cancelled one adds its `reason` (a ``StopReason`` raw value).
extension RunSummary: Codable {
  private enum CodingKeys: String, CodingKey {
    case ending, reason, relocated, skipped, failed, left, relocatedBytes, unallocatedBefore,
      unallocatedAfter, executorCPUSeconds
  }

  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    let label = try container.decode(String.self, forKey: .ending)
    let reason = try container.decodeIfPresent(StopReason.self, forKey: .reason)
    guard let ending = RunOutcome(label: label, reason: reason) else {
      throw DecodingError.dataCorruptedError(
        forKey: .ending, in: container,
        debugDescription: "'\(label)' is no run outcome (or names a stop without its reason)")
    }
    self.init(
      ending: ending, relocated: try container.decode(Int.self, forKey: .relocated),
      skipped: try container.decode(Int.self, forKey: .skipped),
      failed: try container.decode(Int.self, forKey: .failed),
      left: try container.decode(Int.self, forKey: .left),
      relocatedBytes: try container.decode(UInt64.self, forKey: .relocatedBytes),
      unallocatedBefore: try container.decode(UInt64.self, forKey: .unallocatedBefore),
      unallocatedAfter: try container.decode(UInt64.self, forKey: .unallocatedAfter),
      executorCPUSeconds: try container.decodeIfPresent(Double.self, forKey: .executorCPUSeconds))
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(ending.label, forKey: .ending)
    try container.encodeIfPresent(ending.stopReason, forKey: .reason)
    try container.encode(relocated, forKey: .relocated)
    try container.encode(skipped, forKey: .skipped)
    try container.encode(failed, forKey: .failed)
    try container.encode(left, forKey: .left)
    try container.encode(relocatedBytes, forKey: .relocatedBytes)
    try container.encode(unallocatedBefore, forKey: .unallocatedBefore)
    try container.encode(unallocatedAfter, forKey: .unallocatedAfter)
    try container.encodeIfPresent(executorCPUSeconds, forKey: .executorCPUSeconds)
  }
}
