import Foundation

/// When and how a policy scrubs its filesystems (the `scrub` section).
public struct ScrubPolicy: Hashable, Sendable {
  /// How long after the last complete scrub the next one is due.
  public var interval: Duration
  /// When scrubbing may run; `nil` means the policy's own windows.
  public var windows: [TimeWindow]?
  /// Each device's scrub speed limit in bytes per second while the job runs (`scrub_speed_max`),
  /// restored afterwards; `nil` leaves the kernel's setting alone.
  public var speedLimit: UInt64?
  /// Whether devices are scrubbed together or one at a time (RAID5/6 always one at a time).
  public var devices: ScrubDevices
  /// Verify only; never write a repair.
  public var readOnly: Bool
  /// How often progress is reported and journaled.
  public var progressInterval: Duration
  /// The log priority of errors the scrub corrected (uncorrectable ones are always errors).
  public var correctedErrorPriority: ErrorPriority

  public init(
    interval: Duration = .seconds(30 * 86_400), windows: [TimeWindow]? = nil,
    speedLimit: UInt64? = nil, devices: ScrubDevices = .together, readOnly: Bool = false,
    progressInterval: Duration = .seconds(30), correctedErrorPriority: ErrorPriority = .warning
  ) {
    self.interval = interval
    self.windows = windows
    self.speedLimit = speedLimit
    self.devices = devices
    self.readOnly = readOnly
    self.progressInterval = progressInterval
    self.correctedErrorPriority = correctedErrorPriority
  }
}

/// Which devices of a filesystem a scrub works on at once.
public enum ScrubDevices: String, Hashable, Sendable, CaseIterable {
  /// Every device at once, each in a thread of its own (fastest; what `btrfs scrub start` does).
  case together
  /// One device after the other (gentler; always so on RAID5/6, where scrubbing devices together
  /// reads every stripe several times).
  case oneAtATime = "one-at-a-time"
}

/// A log priority a policy may choose for a kind of finding.
public enum ErrorPriority: String, Hashable, Sendable, CaseIterable {
  case notice
  case warning
  case error
}

/// What the device error watch does when a device's error counters rise (the `error-watch`
/// section). The counters are read by every run and by `check`.
public struct ErrorWatchPolicy: Hashable, Sendable {
  /// A command run by `/bin/sh -c` once per device whose counters rose, with the details in its
  /// environment (`BTRFS_STEWARD_*`); `nil` only logs and counts.
  public var notify: String?

  public init(notify: String? = nil) {
    self.notify = notify
  }
}

/// When a policy trims its filesystems' free space (the `trim` section).
public struct TrimPolicy: Hashable, Sendable {
  /// How long after the last trim the next one is due.
  public var interval: Duration
  /// When trimming may run; `nil` means the policy's own windows.
  public var windows: [TimeWindow]?
  /// Free ranges shorter than this are not discarded.
  public var minimumExtent: UInt64

  public init(
    interval: Duration = .seconds(7 * 86_400), windows: [TimeWindow]? = nil,
    minimumExtent: UInt64 = 0
  ) {
    self.interval = interval
    self.windows = windows
    self.minimumExtent = minimumExtent
  }
}
