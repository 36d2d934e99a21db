extension PolicyReader {
  /// A non-empty list of windows.
  func windows(_ field: Field) -> [TimeWindow]? {
    let hint = "; leave 'windows' out to allow balancing at any time"
    guard let items = list(field, of: "windows (days, start, end)", emptyHint: hint) else {
      return nil
    }
    let windows = items.compactMap(window)
    return windows.count == items.count ? windows : nil
  }

  /// One window: `days` (default: daily), `start` and `end`.
  private func window(_ node: YAMLNode) -> TimeWindow? {
    let label = "a window"
    guard
      let fields = fields(
        of: node, label, known: ["days", "start", "end"], required: ["start", "end"])
    else { return nil }
    // Absent: every day; present but invalid: nil.
    let days = fields["days"].map(self.days) ?? Set(Weekday.allCases)
    let expected = "a time of day like \"01:00\""
    let start = fields["start"].flatMap { value($0, expected: expected, TimeOfDay.init(parsing:)) }
    let end = fields["end"].flatMap { value($0, expected: expected, TimeOfDay.init(parsing:)) }
    guard let days, let start, let end, let endField = fields["end"],
      let startField = fields["start"]
    else { return nil }
    guard start != .endOfDay else {
      report("'start': a window cannot start at 24:00; write \"00:00\"", at: startField.node.mark)
      return nil
    }
    guard start != end else {
      report(
        "'end': the window is empty (it starts and ends at \(start)); for a whole day write start"
          + " \"00:00\" and end \"24:00\"", at: endField.node.mark)
      return nil
    }
    return TimeWindow(days: days, start: start, end: end)
  }

  /// A day name or shorthand, or a list of them, with no day given twice.
  private func days(_ field: Field) -> Set<Weekday>? {
    let expected = "a day like mon, or daily, weekdays or weekends"
    if case .scalar = field.node.content {
      return value(field, expected: expected, Weekday.days(named:))
    }
    guard let items = list(field, of: "days (mon, tue, … or daily, weekdays, weekends)") else {
      return nil
    }
    var days: Set<Weekday> = []
    var valid = true
    for item in items {
      guard let named = value(item, label: "a day", expected: expected, Weekday.days(named:)) else {
        valid = false
        continue
      }
      let repeated = named.intersection(days)
      if !repeated.isEmpty {
        let names = repeated.sorted().map(\.shortName).joined(separator: ", ")
        report("'days': \(names) already listed", at: item.mark)
        valid = false
      }
      days.formUnion(named)
    }
    return valid ? days : nil
  }
}
