import Btrfs
import Foundation

/// A validated maintenance policy: which filesystems, when, under which conditions and limits, and the
/// ordered rules that choose block groups to balance. Built by ``PolicyLoader`` from YAML; every value
/// here has already been checked.
public struct Policy: Hashable, Sendable {
  /// The schema version (currently always 1).
  public var version: Int
  /// A short name for logs and the journal.
  public var name: String
  /// The filesystems the policy applies to.
  public var filesystems: FilesystemSelection
  /// When balancing may run; empty means at any time.
  public var windows: [TimeWindow]
  /// The time zone windows are read in: the one the policy names, or the machine's own as it is
  /// whenever a window is checked (`autoupdatingCurrent`, which is looked up only then).
  public var timeZone: TimeZone
  /// What must hold before a run starts.
  public var conditions: Conditions
  /// Bounds on one run.
  public var limits: Limits
  /// The rules, evaluated in order.
  public var rules: [Rule]
  /// How gently the run treats the machine (pressure bounds, duty cycle); unpaced by default.
  public var pacing: Pacing
  /// The scrub schedule, if the policy scrubs.
  public var scrub: ScrubPolicy?
  /// The device error watch, if the policy has one.
  public var errorWatch: ErrorWatchPolicy?
  /// The trim schedule, if the policy trims.
  public var trim: TrimPolicy?

  public init(
    version: Int = 1, name: String, filesystems: FilesystemSelection = .auto,
    windows: [TimeWindow] = [], timeZone: TimeZone = .autoupdatingCurrent,
    conditions: Conditions = Conditions(), limits: Limits = Limits(), rules: [Rule],
    scrub: ScrubPolicy? = nil, errorWatch: ErrorWatchPolicy? = nil, trim: TrimPolicy? = nil,
    pacing: Pacing = Pacing()
  ) {
    self.version = version
    self.name = name
    self.filesystems = filesystems
    self.windows = windows
    self.timeZone = timeZone
    self.conditions = conditions
    self.limits = limits
    self.rules = rules
    self.pacing = pacing
    self.scrub = scrub
    self.errorWatch = errorWatch
    self.trim = trim
  }
}

/// Which filesystems a policy applies to.
public enum FilesystemSelection: Hashable, Sendable {
  /// Every mounted btrfs filesystem, each once.
  case auto
  /// These mountpoints (or paths inside them); each filesystem is still visited once.
  case paths([String])
}

/// An amount of space: absolute, or a percentage of the filesystem's total device size.
public enum SpaceAmount: Hashable, Sendable, CustomStringConvertible {
  case bytes(UInt64)
  case percent(Double)

  /// The amount in bytes for a filesystem of `totalBytes`.
  public func bytes(ofTotal totalBytes: UInt64) -> UInt64 {
    switch self {
    case .bytes(let bytes): bytes
    case .percent(let percent): UInt64((Double(totalBytes) * percent / 100).rounded())
    }
  }

  public var description: String {
    switch self {
    case .bytes(let bytes): ByteCount(bytes).description
    case .percent(let percent): "\(percent.formatted())%"
    }
  }
}

/// What must hold before a run starts.
public struct Conditions: Hashable, Sendable {
  /// Refuse to run on battery power.
  public var requiresACPower: Bool
  /// Refuse to start when unallocated space is below this (an ENOSPC guard).
  public var minUnallocated: SpaceAmount?
  /// Where `min-unallocated` was written, when the policy was read from a file.
  public var sources: AmountSources

  public init(
    requiresACPower: Bool = false, minUnallocated: SpaceAmount? = nil,
    minUnallocatedSource: PolicySource? = nil
  ) {
    self.requiresACPower = requiresACPower
    self.minUnallocated = minUnallocated
    sources = AmountSources(minUnallocated: minUnallocatedSource)
  }
}

/// Bounds on one run. `nil` means unbounded.
public struct Limits: Hashable, Sendable {
  /// Stop (pause) after this long.
  public var maxRuntime: Duration?
  /// Stop after relocating this many bytes.
  public var maxRelocatedBytes: UInt64?
  /// Stop after this many balance operations.
  public var maxOperations: Int?
  /// Wait this long between operations, to let other I/O through.
  public var pauseBetween: Duration

  public init(
    maxRuntime: Duration? = nil, maxRelocatedBytes: UInt64? = nil, maxOperations: Int? = nil,
    pauseBetween: Duration = .zero
  ) {
    self.maxRuntime = maxRuntime
    self.maxRelocatedBytes = maxRelocatedBytes
    self.maxOperations = maxOperations
    self.pauseBetween = pauseBetween
  }
}

/// One rule: when it fires, which block groups it selects, in which order, how many, and when it is done.
public struct Rule: Hashable, Sendable {
  /// The rule's name, for plans, logs and the journal.
  public var name: String
  /// Triggers that must all hold for the rule to fire; empty means always.
  public var when: [Trigger]
  /// Which block groups the rule selects.
  public var select: Selection
  /// In which order selected block groups are balanced.
  public var order: Order
  /// At most this many block groups from this rule (and so at most this many operations: each
  /// operation relocates one block group).
  public var maxBlockGroups: Int?
  /// At most this many used bytes relocated by this rule: it stops before the block group that
  /// would cross it (`max-relocated` of the rule).
  public var maxRelocatedBytes: UInt64?
  /// Goals: the rule stops as soon as any holds.
  public var until: [Goal]
  /// What to do when the kernel reports ENOSPC for one of this rule's operations.
  public var onNoSpace: NoSpaceAction
  /// The least unallocated space an operation (or a run of consecutive operations that only gain
  /// together) must be predicted to regain to be planned; `nil`: anything above nothing.
  public var minGain: SpaceAmount?
  /// Convert the selected block groups to this profile (`convert`), in the kernel's soft mode:
  /// those that have it already are left alone. `nil`: relocate them in their own profile.
  public var convert: Profile?
  /// Move block groups off the devices with the least unallocated space until every device's
  /// unallocated space is within this of every other's (`spread-within`); `nil`: no spreading.
  public var spreadWithin: SpaceAmount?
  /// Move block groups off the devices with the least unallocated space until every device has at
  /// least this much unallocated (`spread-until-each-device-has`); `nil`: no such goal.
  public var spreadUntilEachDeviceHas: UInt64?
  /// Where the trigger (`when: unallocated-below`) and the goal (`until: unallocated-above`) were
  /// written, when the policy was read from a file.
  public var sources: AmountSources

  public init(
    name: String, when: [Trigger] = [], select: Selection, order: Order = .leastUsedFirst,
    maxBlockGroups: Int? = nil, maxRelocatedBytes: UInt64? = nil, until: [Goal] = [],
    onNoSpace: NoSpaceAction = .stop, minGain: SpaceAmount? = nil, convert: Profile? = nil,
    spreadWithin: SpaceAmount? = nil, spreadUntilEachDeviceHas: UInt64? = nil,
    triggerSource: PolicySource? = nil,
    goalSource: PolicySource? = nil
  ) {
    self.name = name
    self.when = when
    self.select = select
    self.order = order
    self.maxBlockGroups = maxBlockGroups
    self.maxRelocatedBytes = maxRelocatedBytes
    self.until = until
    self.onNoSpace = onNoSpace
    self.minGain = minGain
    self.convert = convert
    self.spreadWithin = spreadWithin
    self.spreadUntilEachDeviceHas = spreadUntilEachDeviceHas
    sources = AmountSources(trigger: triggerSource, goal: goalSource)
  }
}

/// A condition on the filesystem that makes a rule fire.
public enum Trigger: Hashable, Sendable {
  /// Unallocated space is below the amount.
  case unallocatedBelow(SpaceAmount)
}

/// A goal that ends a rule once the filesystem (as predicted or as measured) meets it.
public enum Goal: Hashable, Sendable {
  /// Unallocated space is at least the amount.
  case unallocatedAbove(SpaceAmount)
}

/// Which block groups a rule selects. All given criteria must hold.
public struct Selection: Hashable, Sendable {
  /// The block-group type (data, metadata, system; mixed block groups count as data).
  public var type: BlockGroupType
  /// Only these profiles; `nil` means any.
  public var profiles: Set<Profile>?
  /// Usage in percent, lower bound (inclusive); `nil` means none.
  public var usageAtLeast: Double?
  /// Usage in percent, upper bound (exclusive, like the kernel's `usage=` filter); `nil` means none.
  public var usageBelow: Double?
  /// Only block groups with a stripe on one of these devices (the kernel's `devid` filter, for a
  /// list); `nil` means any.
  public var devices: Set<UInt64>?
  /// Only block groups whose chunk has this many stripes, both ends inclusive (the kernel's
  /// `stripes` filter); `nil` means any.
  public var stripes: ClosedRange<Int>?
  /// Only block groups with a stripe that overlaps a physical byte range of one device (the
  /// kernel's `drange` filter); `nil` means anywhere.
  public var deviceRange: DeviceRange?
  /// Where the device ids were written, when the policy was read from a file.
  public var sources: DeviceSources

  public init(
    type: BlockGroupType, profiles: Set<Profile>? = nil, usageAtLeast: Double? = nil,
    usageBelow: Double? = nil, devices: Set<UInt64>? = nil, stripes: ClosedRange<Int>? = nil,
    deviceRange: DeviceRange? = nil, sources: DeviceSources = DeviceSources()
  ) {
    self.type = type
    self.profiles = profiles
    self.usageAtLeast = usageAtLeast
    self.usageBelow = usageBelow
    self.devices = devices
    self.stripes = stripes
    self.deviceRange = deviceRange
    self.sources = sources
  }

  /// Every device id the selection names (`devices` and `device-range`'s device).
  public var namedDevices: Set<UInt64> {
    (devices ?? []).union(deviceRange.map { [$0.devid] } ?? [])
  }
}

/// A physical byte range of one device: `[start, end)`, `end` `nil` for the end of the device.
public struct DeviceRange: Hashable, Sendable {
  /// The device.
  public var devid: UInt64
  /// The first byte of the range.
  public var start: UInt64
  /// The byte after the range; `nil`: to the end of the device.
  public var end: UInt64?

  public init(devid: UInt64, start: UInt64 = 0, end: UInt64? = nil) {
    self.devid = devid
    self.start = start
    self.end = end
  }

  /// Whether the device bytes `[offset, offset + length)` overlap the range.
  public func overlaps(offset: UInt64, length: UInt64) -> Bool {
    offset < (end ?? .max) && offset + length > start
  }
}

/// Where a selection's device ids are written, when the policy was read from a file, for the
/// message that refuses a device the filesystem does not have.
///
/// Like ``AmountSources``, not part of what a policy says: any two are equal.
public struct DeviceSources: Hashable, Sendable {
  /// Where each device id was written.
  public var positions: [UInt64: PolicySource]

  public init(_ positions: [UInt64: PolicySource] = [:]) {
    self.positions = positions
  }

  public static func == (lhs: Self, rhs: Self) -> Bool { true }
  public func hash(into hasher: inout Hasher) {}
}

/// The order in which a rule balances the block groups it selected.
public enum Order: String, Hashable, Sendable, CaseIterable {
  /// Fewest used bytes first (ties: lower address first), like python-btrfs's least-used balance.
  case leastUsedFirst = "least-used-first"
  /// Most free bytes first (ties: lower address first).
  case mostFreeFirst = "most-free-first"
  /// Ascending logical address.
  case vaddr = "vaddr"
}

/// What a run does when the kernel reports ENOSPC for an operation.
public enum NoSpaceAction: String, Hashable, Sendable, CaseIterable {
  /// Journal it and end the run.
  case stop
  /// Journal it, skip that block group, and go on with the next.
  case skip
}
