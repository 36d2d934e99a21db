import Steward
import Testing

@Suite("timer drop-in")
struct TimerDropInTests {
  @Test("resets the template's schedule, then sets its own")
  func text() throws {
    let dropIn = try TimerDropIn(
      instance: "weekly-gentle", calendars: ["Sun 23:15", " Sat 10:00 "], randomizedDelay: "10min")
    #expect(
      dropIn.text == """
        # Written by `btrfs-steward systemd install-timer`: the schedule of /etc/btrfs-steward/weekly-gentle.yaml.
        # Delete this file, or run `systemctl revert btrfs-steward@weekly-gentle.timer`, to return to the default.
        [Timer]
        # An empty assignment drops the template's schedule; the lines after it replace it.
        OnCalendar=
        OnCalendar=Sun 23:15
        OnCalendar=Sat 10:00
        RandomizedDelaySec=10min

        """)
    #expect(dropIn.timerUnit == "btrfs-steward@weekly-gentle.timer")
  }

  @Test("keeps the template's randomized delay unless one is given")
  func noDelay() throws {
    let dropIn = try TimerDropIn(instance: "nightly", calendars: ["daily"])
    #expect(!dropIn.text.contains("RandomizedDelaySec"))
  }

  @Test("lives in the timer's .d directory of the unit directory")
  func path() throws {
    let dropIn = try TimerDropIn(instance: "a.b_c-1", calendars: ["hourly"])
    #expect(
      dropIn.path(unitDirectory: "/etc/systemd/system/")
        == "/etc/systemd/system/btrfs-steward@a.b_c-1.timer.d/schedule.conf")
  }

  @Test(
    "refuses names that are not policy names",
    arguments: ["", "-x", ".hidden", "a/b", "a b", "a@b", "ä", String(repeating: "a", count: 65)])
  func invalidInstance(_ name: String) {
    #expect(throws: TimerDropInError.invalidInstance(name)) {
      try TimerDropIn(instance: name, calendars: ["daily"])
    }
  }

  @Test("needs a calendar expression")
  func noCalendar() {
    #expect(throws: TimerDropInError.noCalendar) {
      try TimerDropIn(instance: "x", calendars: [])
    }
  }

  @Test(
    "refuses values a unit file would misread",
    arguments: ["", "  ", "daily\nExecStart=/bin/sh", "%H:00", "daily \\", "Mon\t01:00"])
  func invalidCalendar(_ calendar: String) {
    #expect(throws: TimerDropInError.self) {
      try TimerDropIn(instance: "x", calendars: [calendar])
    }
  }

  @Test("refuses a randomized delay a unit file would misread")
  func invalidDelay() {
    #expect(
      throws: TimerDropInError.invalidValue(setting: "RandomizedDelaySec", value: "5m\nUser=x")
    ) {
      try TimerDropIn(instance: "x", calendars: ["daily"], randomizedDelay: "5m\nUser=x")
    }
  }
}
