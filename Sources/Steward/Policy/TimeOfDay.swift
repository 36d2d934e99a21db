/// A wall-clock time of day to the minute, from `00:00` to `24:00` (the end of the day, allowed as a
/// window's end only).
public struct TimeOfDay: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// Minutes since midnight, 0...1440.
  public var minutes: Int

  /// A time from its minutes since midnight (0...1440).
  public init(minutes: Int) {
    precondition((0...1440).contains(minutes), "time of day out of range")
    self.minutes = minutes
  }

  /// A time from its hour (0...24) and minute (0...59).
  public init(hour: Int, minute: Int) {
    self.init(minutes: hour * 60 + minute)
  }

  /// `24:00`, the end of a day.
  public static let endOfDay = TimeOfDay(minutes: 24 * 60)

  /// The hour, 0...24.
  public var hour: Int { minutes / 60 }
  /// The minute, 0...59.
  public var minute: Int { minutes % 60 }

  /// Reads `HH:MM` (one or two digits for the hour, two for the minute), `00:00` to `24:00`.
  public init(parsing text: String) throws(ValueSyntaxError) {
    let body = ValueSyntax.trimmed(text)
    let parts = body.split(separator: ":", omittingEmptySubsequences: false)
    let isDigits: (Substring) -> Bool = {
      !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber }
    }
    guard parts.count == 2, isDigits(parts[0]), parts[0].count <= 2, isDigits(parts[1]),
      parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1])
    else {
      throw ValueSyntaxError("expected a time of day like \"01:00\" (HH:MM), found '\(body)'")
    }
    guard hour < 24 && minute < 60 || hour == 24 && minute == 0 else {
      throw ValueSyntaxError("expected a time of day from 00:00 to 24:00, found '\(body)'")
    }
    self.init(hour: hour, minute: minute)
  }

  /// For example `01:00`.
  public var description: String {
    (hour < 10 ? "0" : "") + "\(hour):" + (minute < 10 ? "0" : "") + "\(minute)"
  }

  public static func < (lhs: Self, rhs: Self) -> Bool { lhs.minutes < rhs.minutes }
}
