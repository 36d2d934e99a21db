import Foundation

/// The systemd drop-in that gives one policy's timer, `btrfs-steward@NAME.timer`, its own schedule:
/// it resets the template's `OnCalendar=` and sets its own, without editing the installed units.
public struct TimerDropIn: Hashable, Sendable {
  /// The timer's instance name: the policy file `/etc/btrfs-steward/NAME.yaml`.
  public let instance: String
  /// The `OnCalendar=` expressions (systemd.time(7)); the timer elapses at each.
  public let calendars: [String]
  /// The `RandomizedDelaySec=` time span, when it should differ from the template's.
  public let randomizedDelay: String?

  /// Checks the values that end up in the unit file: the instance is a policy name (1 to 64 ASCII
  /// letters, digits, `.`, `_`, `-`, starting with a letter or digit), and each value is printable
  /// ASCII without `\` or `%` (a unit file would read them as a line continuation or a specifier).
  /// Whether systemd understands the expressions is for `systemd-analyze calendar` to say.
  public init(instance: String, calendars: [String], randomizedDelay: String? = nil)
    throws(TimerDropInError)
  {
    guard Self.isInstanceName(instance) else { throw .invalidInstance(instance) }
    let calendars = calendars.map(Self.trimmed)
    guard !calendars.isEmpty else { throw .noCalendar }
    for calendar in calendars where !Self.isUnitValue(calendar) {
      throw .invalidValue(setting: "OnCalendar", value: calendar)
    }
    let randomizedDelay = randomizedDelay.map(Self.trimmed)
    if let randomizedDelay, !Self.isUnitValue(randomizedDelay) {
      throw .invalidValue(setting: "RandomizedDelaySec", value: randomizedDelay)
    }
    self.instance = instance
    self.calendars = calendars
    self.randomizedDelay = randomizedDelay
  }

  /// The timer unit the drop-in belongs to.
  public var timerUnit: String { "btrfs-steward@\(instance).timer" }

  /// The policy file the timer's service runs.
  public var policyPath: String { "/etc/btrfs-steward/\(instance).yaml" }

  /// The drop-in's path under a unit directory such as `/etc/systemd/system`.
  public func path(unitDirectory: String) -> String {
    let directory = unitDirectory.hasSuffix("/") ? String(unitDirectory.dropLast()) : unitDirectory
    return "\(directory)/\(timerUnit).d/schedule.conf"
  }

  /// The drop-in's text.
  public var text: String {
    var lines = [
      "# Written by `btrfs-steward systemd install-timer`: the schedule of \(policyPath).",
      "# Delete this file, or run `systemctl revert \(timerUnit)`, to return to the default.",
      "[Timer]",
      "# An empty assignment drops the template's schedule; the lines after it replace it.",
      "OnCalendar=",
    ]
    lines += calendars.map { "OnCalendar=\($0)" }
    if let randomizedDelay { lines.append("RandomizedDelaySec=\(randomizedDelay)") }
    return lines.joined(separator: "\n") + "\n"
  }

  private static func trimmed(_ value: String) -> String {
    value.trimmingCharacters(in: .whitespaces)
  }

  private static func isInstanceName(_ name: String) -> Bool {
    let bytes = Array(name.utf8)
    guard (1...64).contains(bytes.count), isAlphanumeric(bytes[0]) else { return false }
    return bytes.allSatisfy {
      isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_")
        || $0 == UInt8(ascii: "-")
    }
  }

  private static func isAlphanumeric(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
      || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
      || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
  }

  private static func isUnitValue(_ value: String) -> Bool {
    !value.isEmpty
      && value.utf8.allSatisfy {
        (0x20...0x7E).contains($0) && $0 != UInt8(ascii: "\\") && $0 != UInt8(ascii: "%")
      }
  }
}

/// Why a timer drop-in cannot be made.
public enum TimerDropInError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The instance is not a policy name.
  case invalidInstance(String)
  /// No `OnCalendar=` expression was given.
  case noCalendar
  /// A value is empty or has characters a unit file would misread.
  case invalidValue(setting: String, value: String)

  public var description: String {
    switch self {
    case .invalidInstance(let instance):
      "'\(instance)' is not a policy name: 1 to 64 ASCII letters, digits, '.', '_' or '-', "
        + "starting with a letter or digit (the policy file is /etc/btrfs-steward/NAME.yaml)"
    case .noCalendar:
      "at least one calendar expression is needed"
    case .invalidValue(let setting, let value):
      "'\(value)' cannot be written as \(setting)=: it must be non-empty printable ASCII "
        + "without '\\' or '%'"
    }
  }
}
