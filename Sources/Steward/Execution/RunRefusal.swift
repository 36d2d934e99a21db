import Btrfs

/// Why a run did not start. Each has its own message and exit status (but for a stop while it
/// waited, which exits 75 as a paused run does); none of them touched the filesystem.
public enum RunRefusal: Error, Hashable, Sendable, CustomStringConvertible {
  /// Balancing needs CAP_SYS_ADMIN.
  case notRoot
  /// Another exclusive operation holds the filesystem.
  case exclusiveOperation(ExclusiveOperation, path: String)
  /// A balance that btrfs-steward did not start is running or paused.
  case foreignBalance(path: String, paused: Bool)
  /// Another btrfs-steward run holds the filesystem's lock.
  case lockedBySteward(lockFile: String)
  /// btrfsmaintenance is balancing or scrubbing the filesystem.
  case lockedByBtrfsMaintenance(lockFile: String)
  /// The policy requires AC power and the machine is on battery.
  case onBattery
  /// Two amounts of the policy contradict each other on this filesystem (a trigger at or below the
  /// floor, a goal below a trigger): the policy's mistake, whatever the space is now.
  case policyContradicts([PolicyContradiction])
  /// A rule selects devices the filesystem does not have.
  case unknownDevices([UnknownDevice])
  /// A rule converts to a profile the filesystem's devices cannot hold (raid1 on one device).
  case cannotConvert(rule: String, reason: String)
  /// Unallocated space is below the policy's floor.
  case belowUnallocatedFloor(unallocated: UInt64, floor: UInt64)
  /// Outside every time window of the policy.
  case outsideWindow
  /// Asked to stop (a signal, `systemctl stop`) while it waited, with `--wait`, for a lock or an
  /// exclusive operation (`waitedFor` says which); the next run does the work.
  case stoppedWhileWaiting(waitedFor: String)

  public var description: String {
    switch self {
    case .notRoot:
      "balancing needs root (CAP_SYS_ADMIN)"
    case .exclusiveOperation(let operation, let path):
      "another exclusive operation (\(operation)) is running on \(path); try again later or use --wait"
    case .foreignBalance(let path, let paused):
      "a balance not started by btrfs-steward is \(paused ? "paused" : "running") on \(path); it is left alone (see `btrfs balance status \(path)`)"
    case .lockedBySteward(let lockFile):
      "another btrfs-steward run holds \(lockFile)"
    case .lockedByBtrfsMaintenance(let lockFile):
      "btrfsmaintenance is working on this filesystem (it holds \(lockFile))"
    case .onBattery:
      "the policy requires AC power and the machine is on battery"
    case .policyContradicts(let contradictions):
      "the policy contradicts itself on this filesystem:\n"
        + contradictions.map(\.description).joined(separator: "\n")
    case .unknownDevices(let devices):
      "the policy names devices this filesystem does not have:\n"
        + devices.map(\.description).joined(separator: "\n")
    case .cannotConvert(let rule, let reason):
      "rule '\(rule)' cannot convert on this filesystem: \(reason)"
    case .belowUnallocatedFloor(let unallocated, let floor):
      "unallocated space \(ByteCount(unallocated)) is below the policy's min-unallocated \(ByteCount(floor)); balancing now could run the filesystem out of space"
    case .outsideWindow:
      "outside every time window of the policy; nothing to do now"
    case .stoppedWhileWaiting(let waitedFor):
      "stopped while waiting for \(waitedFor); nothing was done, the next run does it"
    }
  }

  /// The documented exit status.
  public var exitStatus: ExitStatus {
    switch self {
    case .notRoot: .notPermitted
    case .exclusiveOperation: .exclusiveOperation
    case .foreignBalance: .foreignBalance
    case .lockedBySteward, .lockedByBtrfsMaintenance: .locked
    case .onBattery: .onBattery
    case .policyContradicts, .unknownDevices, .cannotConvert: .invalidInput
    case .belowUnallocatedFloor: .belowUnallocatedFloor
    case .outsideWindow: .outsideWindow
    case .stoppedWhileWaiting: .paused
    }
  }

  /// The refusal's name, as the metrics file's `outcome` label spells it after `refused-`; both
  /// locks are `locked`.
  public var label: String {
    switch self {
    case .notRoot: "not-root"
    case .exclusiveOperation: "exclusive-operation"
    case .foreignBalance: "foreign-balance"
    case .lockedBySteward, .lockedByBtrfsMaintenance: "locked"
    case .onBattery: "on-battery"
    case .policyContradicts: "policy-contradiction"
    case .cannotConvert: "cannot-convert"
    case .unknownDevices: "unknown-device"
    case .belowUnallocatedFloor: "below-unallocated-floor"
    case .outsideWindow: "outside-window"
    case .stoppedWhileWaiting: "stopped-while-waiting"
    }
  }

  /// Every ``label``, in the order the metrics file lists them.
  public static let labels = [
    "not-root", "exclusive-operation", "foreign-balance", "locked", "on-battery",
    "policy-contradiction", "cannot-convert", "unknown-device", "below-unallocated-floor",
    "outside-window", "stopped-while-waiting",
  ]
}
