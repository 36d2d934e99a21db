import Foundation

/// A weekly time window: on each of `days`, from `start` to `end` in wall-clock time. When `end` is
/// before `start` the window wraps past midnight: it opens on one of `days` and closes the next
/// morning (`fri 22:00–06:00` closes on Saturday at 06:00). `end` may be `24:00`.
public struct TimeWindow: Hashable, Sendable, CustomStringConvertible {
  /// The days the window opens on.
  public var days: Set<Weekday>
  /// When it opens (inclusive).
  public var start: TimeOfDay
  /// When it closes (exclusive); before `start` means the next day.
  public var end: TimeOfDay

  /// A window; `start` and `end` must differ.
  public init(days: Set<Weekday>, start: TimeOfDay, end: TimeOfDay) {
    precondition(start != end, "an empty time window")
    self.days = days
    self.start = start
    self.end = end
  }

  /// Whether the window closes on the day after it opens.
  public var wrapsPastMidnight: Bool { end < start }

  /// Whether `date`, read as wall-clock time in `timeZone`, falls inside the window.
  public func contains(_ date: Date, in timeZone: TimeZone) -> Bool {
    openingDay(of: date, in: timeZone) != nil
  }

  /// When the window that contains `date` closes, or `nil` when `date` is outside the window.
  /// Wall-clock times that a daylight-saving change skips close at the next existing time.
  public func nextClose(after date: Date, in timeZone: TimeZone) -> Date? {
    let calendar = Self.calendar(timeZone)
    guard let opened = openingDay(of: date, in: timeZone) else { return nil }
    let today = calendar.startOfDay(for: date)
    let closingDay =
      opened == .today && wrapsPastMidnight
      ? calendar.date(byAdding: .day, value: 1, to: today) : today
    guard let closingDay else { return nil }
    guard end != .endOfDay else {
      return calendar.date(byAdding: .day, value: 1, to: closingDay).map(calendar.startOfDay)
    }
    return calendar.date(
      bySettingHour: end.hour, minute: end.minute, second: 0, of: closingDay,
      matchingPolicy: .nextTime, repeatedTimePolicy: .first, direction: .forward)
  }

  /// On which day the opening that contains `date` began, or `nil` when `date` is outside.
  private func openingDay(of date: Date, in timeZone: TimeZone) -> OpeningDay? {
    let parts = Self.calendar(timeZone).dateComponents([.weekday, .hour, .minute], from: date)
    guard let weekday = parts.weekday.flatMap(Weekday.init(rawValue:)),
      let hour = parts.hour, let minute = parts.minute
    else { return nil }
    let now = hour * 60 + minute
    if days.contains(weekday), now >= start.minutes, wrapsPastMidnight || now < end.minutes {
      return .today
    }
    if wrapsPastMidnight, days.contains(weekday.previous), now < end.minutes {
      return .yesterday
    }
    return nil
  }

  private enum OpeningDay { case today, yesterday }

  private static func calendar(_ timeZone: TimeZone) -> Calendar {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone
    return calendar
  }

  /// For example `mon,tue 01:00-05:00`, or `daily 22:00-06:00`.
  public var description: String {
    let dayNames =
      days.count == 7
      ? "daily"
      : days.sorted { ($0.rawValue + 5) % 7 < ($1.rawValue + 5) % 7 }
        .map(\.shortName).joined(separator: ",")
    return "\(dayNames) \(start)-\(end)"
  }
}
