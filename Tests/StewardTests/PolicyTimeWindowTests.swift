import Foundation
import Testing

@testable import Steward

@Suite("Time windows")
struct PolicyTimeWindowTests {
  static let utc = TimeZone(identifier: "UTC")!
  static let paris = TimeZone(identifier: "Europe/Paris")!

  /// An instant given as wall-clock time in `zone`. 2024-01-01 is a Monday.
  static func at(
    _ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, in zone: TimeZone = utc
  )
    -> Date
  {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    return calendar.date(
      from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
  }

  static func window(_ days: Set<Weekday>, _ start: String, _ end: String) throws -> TimeWindow {
    TimeWindow(days: days, start: try TimeOfDay(parsing: start), end: try TimeOfDay(parsing: end))
  }

  @Test func sameDayWindow() throws {
    let window = try Self.window(Weekday.workdays, "01:00", "05:00")
    #expect(!window.wrapsPastMidnight)
    #expect(window.contains(Self.at(2024, 1, 1, 1, 0), in: Self.utc))
    #expect(window.contains(Self.at(2024, 1, 1, 4, 59), in: Self.utc))
    #expect(!window.contains(Self.at(2024, 1, 1, 5, 0), in: Self.utc))
    #expect(!window.contains(Self.at(2024, 1, 1, 0, 59), in: Self.utc))
    #expect(!window.contains(Self.at(2024, 1, 6, 2, 0), in: Self.utc))  // Saturday
    #expect(
      window.nextClose(after: Self.at(2024, 1, 1, 2, 0), in: Self.utc) == Self.at(2024, 1, 1, 5, 0))
    #expect(window.nextClose(after: Self.at(2024, 1, 1, 6, 0), in: Self.utc) == nil)
    #expect(window.description == "mon,tue,wed,thu,fri 01:00-05:00")
  }

  @Test func windowWrapsPastMidnight() throws {
    let window = try Self.window([.friday], "22:00", "06:00")
    #expect(window.wrapsPastMidnight)
    #expect(window.contains(Self.at(2024, 1, 5, 23, 0), in: Self.utc))  // Friday night
    #expect(window.contains(Self.at(2024, 1, 6, 5, 59), in: Self.utc))  // Saturday morning
    #expect(!window.contains(Self.at(2024, 1, 6, 6, 0), in: Self.utc))
    #expect(!window.contains(Self.at(2024, 1, 6, 22, 30), in: Self.utc))  // Saturday night
    #expect(!window.contains(Self.at(2024, 1, 5, 3, 0), in: Self.utc))  // Friday early morning
    #expect(
      window.nextClose(after: Self.at(2024, 1, 5, 23, 0), in: Self.utc) == Self.at(2024, 1, 6, 6, 0)
    )
    #expect(
      window.nextClose(after: Self.at(2024, 1, 6, 3, 0), in: Self.utc) == Self.at(2024, 1, 6, 6, 0))
  }

  @Test func wrapAcrossTheEndOfTheWeekAndTheYear() throws {
    let window = try Self.window([.sunday], "23:00", "01:00")
    #expect(window.contains(Self.at(2023, 12, 31, 23, 30), in: Self.utc))  // Sunday
    #expect(window.contains(Self.at(2024, 1, 1, 0, 30), in: Self.utc))  // Monday, next year
    #expect(
      window.nextClose(after: Self.at(2023, 12, 31, 23, 30), in: Self.utc)
        == Self.at(2024, 1, 1, 1, 0))
  }

  @Test func windowEndingAtTheEndOfTheDay() throws {
    let window = try Self.window([.saturday], "00:00", "24:00")
    #expect(window.contains(Self.at(2024, 1, 6, 0, 0), in: Self.utc))
    #expect(window.contains(Self.at(2024, 1, 6, 23, 59), in: Self.utc))
    #expect(!window.contains(Self.at(2024, 1, 7, 0, 0), in: Self.utc))
    #expect(
      window.nextClose(after: Self.at(2024, 1, 6, 12, 0), in: Self.utc) == Self.at(2024, 1, 7, 0, 0)
    )
  }

  @Test func windowsAreReadInTheirTimeZone() throws {
    let window = try Self.window([.monday], "01:00", "05:00")
    let instant = Self.at(2024, 1, 1, 0, 30)  // 01:30 in Paris (UTC+1)
    #expect(window.contains(instant, in: Self.paris))
    #expect(!window.contains(instant, in: Self.utc))
    #expect(window.nextClose(after: instant, in: Self.paris) == Self.at(2024, 1, 1, 4, 0))
  }

  @Test func closingTimeSkippedByDaylightSavingClosesAtTheNextExistingTime() throws {
    // 2024-03-31, a Sunday: Paris skips from 02:00 to 03:00.
    let window = try Self.window([.sunday], "01:00", "02:30")
    let instant = Self.at(2024, 3, 31, 1, 30, in: Self.paris)
    #expect(
      window.nextClose(after: instant, in: Self.paris) == Self.at(2024, 3, 31, 3, 0, in: Self.paris)
    )
  }

  @Test func policyWithoutWindowsIsAlwaysOpenAndNeverCloses() {
    let policy = Policy(name: "p", rules: [])
    #expect(policy.isWithinWindow(at: Self.at(2024, 1, 1, 12, 0)))
    #expect(policy.windowCloses(after: Self.at(2024, 1, 1, 12, 0)) == nil)
  }

  @Test func policyMergesTouchingWindows() throws {
    let policy = Policy(
      name: "p",
      windows: [
        try Self.window([.monday], "22:00", "24:00"), try Self.window([.tuesday], "00:00", "02:00"),
        try Self.window([.wednesday], "01:00", "02:00"),
      ], timeZone: Self.utc, rules: [])
    #expect(policy.isWithinWindow(at: Self.at(2024, 1, 1, 23, 0)))
    #expect(!policy.isWithinWindow(at: Self.at(2024, 1, 2, 12, 0)))
    #expect(policy.windowCloses(after: Self.at(2024, 1, 1, 23, 0)) == Self.at(2024, 1, 2, 2, 0))
    #expect(policy.windowCloses(after: Self.at(2024, 1, 2, 12, 0)) == nil)
  }

  @Test func windowsCoveringTheWholeWeekNeverClose() throws {
    let policy = Policy(
      name: "p", windows: [try Self.window(Set(Weekday.allCases), "00:00", "24:00")],
      timeZone: Self.utc, rules: [])
    #expect(policy.isWithinWindow(at: Self.at(2024, 1, 3, 9, 0)))
    #expect(policy.windowCloses(after: Self.at(2024, 1, 3, 9, 0)) == nil)
  }
}
