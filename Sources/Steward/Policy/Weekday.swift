/// A day of the week, numbered as Foundation's Gregorian calendar numbers them (Sunday is 1).
public enum Weekday: Int, Hashable, Sendable, CaseIterable, Comparable, CustomStringConvertible {
  case sunday = 1
  case monday
  case tuesday
  case wednesday
  case thursday
  case friday
  case saturday

  /// Monday to Friday.
  public static let workdays: Set<Weekday> = [.monday, .tuesday, .wednesday, .thursday, .friday]
  /// Saturday and Sunday.
  public static let weekend: Set<Weekday> = [.saturday, .sunday]

  /// The short name a policy writes: `mon`, `tue`, …
  public var shortName: String { String(fullName.prefix(3)) }

  /// The full name in lowercase: `monday`, `tuesday`, …
  public var fullName: String {
    switch self {
    case .sunday: "sunday"
    case .monday: "monday"
    case .tuesday: "tuesday"
    case .wednesday: "wednesday"
    case .thursday: "thursday"
    case .friday: "friday"
    case .saturday: "saturday"
    }
  }

  /// The short name.
  public var description: String { shortName }

  /// The day after this one.
  public var next: Weekday { Weekday(rawValue: rawValue % 7 + 1)! }
  /// The day before this one.
  public var previous: Weekday { Weekday(rawValue: (rawValue + 5) % 7 + 1)! }

  /// The days one name stands for: a day (`mon` or `monday`), or a shorthand: `daily` (every day),
  /// `weekdays` (Monday to Friday) or `weekends` (Saturday and Sunday). Case does not matter.
  public static func days(named text: String) throws(ValueSyntaxError) -> Set<Weekday> {
    let name = ValueSyntax.trimmed(text).lowercased()
    switch name {
    case "daily": return Set(allCases)
    case "weekdays": return workdays
    case "weekends": return weekend
    default:
      if let day = allCases.first(where: { $0.shortName == name || $0.fullName == name }) {
        return [day]
      }
      throw ValueSyntaxError(
        "expected a day (mon, tue, wed, thu, fri, sat, sun) or daily, weekdays or weekends,"
          + " found '\(name)'")
    }
  }

  public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}
