import Testing

@testable import Steward

@Suite("Policy value syntax")
struct PolicyValueSyntaxTests {
  @Test(
    arguments: [
      ("4096B", 4096), ("1KiB", 1024), ("512MiB", 512 << 20), ("2GiB", 2 << 30),
      ("1.5GiB", 3 << 29), ("2 TiB", 2 << 40), ("1gib", 1 << 30), (" 0B ", 0),
    ] as [(String, UInt64)])
  func sizes(text: String, bytes: UInt64) throws {
    #expect(try ValueSyntax.size(text) == bytes)
  }

  @Test(arguments: [
    ("2G", "write 'GiB'"), ("2GB", "write 'GiB'"), ("10k", "write 'KiB'"),
    ("100", "unit is missing"),
    ("-1GiB", "cannot be negative"), ("GiB", "expected a size"), ("3 parsecs", "units are B, KiB"),
    ("99999999EiB", "too large"),
  ])
  func badSizes(text: String, problem: String) {
    #expect {
      _ = try ValueSyntax.size(text)
    } throws: { error in
      (error as? ValueSyntaxError)?.message.contains(problem) == true
    }
  }

  @Test func percentages() throws {
    #expect(try ValueSyntax.percent("10%") == 10)
    #expect(try ValueSyntax.percent("0.5%") == 0.5)
    #expect(try ValueSyntax.percent("100%") == 100)
    #expect(try ValueSyntax.percent("0 %") == 0)
    for bad in ["10", "101%", "-5%", "%", "ten%", "10%%"] {
      #expect(throws: ValueSyntaxError.self) { try ValueSyntax.percent(bad) }
    }
  }

  @Test func spaceAmounts() throws {
    #expect(try ValueSyntax.spaceAmount("10%") == .percent(10))
    #expect(try ValueSyntax.spaceAmount("2GiB") == .bytes(2 << 30))
    #expect {
      _ = try ValueSyntax.spaceAmount("lots")
    } throws: { error in
      (error as? ValueSyntaxError)?.message.hasPrefix("expected a size like 2GiB or a percentage")
        == true
    }
  }

  @Test func usageRanges() throws {
    #expect(try ValueSyntax.usageRange("10%..60%") == (10, 60))
    #expect(try ValueSyntax.usageRange("..5%") == (nil, 5))
    #expect(try ValueSyntax.usageRange("50% ..") == (50, nil))
    #expect(try ValueSyntax.usageRange("60%..10%") == (60, 10))
    for bad in ["..", "10%", "10..60", "10%...60%"] {
      #expect(throws: ValueSyntaxError.self) { try ValueSyntax.usageRange(bad) }
    }
  }

  @Test(
    arguments: [
      ("30s", 30), ("5m", 300), ("2h", 7200), ("1d", 86_400), ("1h30m", 5400), ("1d2h3m4s", 93_784),
      ("0s", 0),
    ] as [(String, Int64)])
  func durations(text: String, seconds: Int64) throws {
    #expect(try ValueSyntax.duration(text) == .seconds(seconds))
  }

  @Test func badDurations() {
    for bad in ["", "30", "5x", "1m1h", "1h1h", "h", "1.5h", "-5s", "99999999999999999d"] {
      #expect(throws: ValueSyntaxError.self, "\(bad)") { try ValueSyntax.duration(bad) }
    }
  }

  @Test func timesOfDay() throws {
    #expect(try TimeOfDay(parsing: "01:00") == TimeOfDay(hour: 1, minute: 0))
    #expect(try TimeOfDay(parsing: "7:05").minutes == 425)
    #expect(try TimeOfDay(parsing: "24:00") == .endOfDay)
    #expect(try TimeOfDay(parsing: "23:59").description == "23:59")
    for bad in ["24:01", "25:00", "1:5", "0100", "01:00:00", "aa:bb", "", "-1:00", "123:00"] {
      #expect(throws: ValueSyntaxError.self, "\(bad)") { try TimeOfDay(parsing: bad) }
    }
  }

  @Test func weekdays() throws {
    #expect(try Weekday.days(named: "mon") == [.monday])
    #expect(try Weekday.days(named: "Sunday") == [.sunday])
    #expect(try Weekday.days(named: "weekdays") == Weekday.workdays)
    #expect(try Weekday.days(named: "weekends") == [.saturday, .sunday])
    #expect(try Weekday.days(named: "daily").count == 7)
    #expect(throws: ValueSyntaxError.self) { try Weekday.days(named: "mo") }
    #expect(Weekday.sunday.next == .monday)
    #expect(Weekday.sunday.previous == .saturday)
    #expect(Weekday.monday.previous == .sunday)
  }
}
