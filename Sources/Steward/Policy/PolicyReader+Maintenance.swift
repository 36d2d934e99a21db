extension PolicyReader {
  /// The keys of the `scrub` section.
  static let scrubKeys = [
    "interval", "windows", "speed-limit", "devices", "read-only", "progress-interval",
    "corrected-errors",
  ]

  /// The `scrub` section; `nil` when anything in it was reported.
  func scrub(_ field: Field) -> ScrubPolicy? {
    let reported = diagnostics.count
    guard let fields = fields(of: field.node, "'scrub'", known: Self.scrubKeys) else { return nil }
    let defaults = ScrubPolicy()
    let policy = ScrubPolicy(
      interval: fields["interval"].flatMap(interval) ?? defaults.interval,
      windows: fields["windows"].flatMap(windows),
      speedLimit: fields["speed-limit"].flatMap(positiveSize),
      devices: fields["devices"].flatMap { choice($0, of: ScrubDevices.self) } ?? defaults.devices,
      readOnly: fields["read-only"].flatMap(boolean) ?? defaults.readOnly,
      progressInterval: fields["progress-interval"].flatMap { duration($0, positive: true) }
        ?? defaults.progressInterval,
      correctedErrorPriority: fields["corrected-errors"].flatMap {
        choice($0, of: ErrorPriority.self)
      } ?? defaults.correctedErrorPriority)
    return diagnostics.count == reported ? policy : nil
  }

  /// The `error-watch` section.
  func errorWatch(_ field: Field) -> ErrorWatchPolicy? {
    guard let fields = fields(of: field.node, "'error-watch'", known: ["notify"]) else {
      return nil
    }
    guard let notifyField = fields["notify"] else { return ErrorWatchPolicy() }
    guard let command = text(notifyField, expected: "a shell command") else { return nil }
    guard !command.trimmingCharacters(in: .whitespaces).isEmpty else {
      report(
        "'notify': the command is empty; leave 'notify' out to only log and count",
        at: notifyField.node.mark)
      return nil
    }
    return ErrorWatchPolicy(notify: command)
  }

  /// The `trim` section; `nil` when anything in it was reported.
  func trim(_ field: Field) -> TrimPolicy? {
    let reported = diagnostics.count
    let keys = ["interval", "windows", "minimum-extent"]
    guard let fields = fields(of: field.node, "'trim'", known: keys) else { return nil }
    let defaults = TrimPolicy()
    let policy = TrimPolicy(
      interval: fields["interval"].flatMap(interval) ?? defaults.interval,
      windows: fields["windows"].flatMap(windows),
      minimumExtent: fields["minimum-extent"].flatMap(positiveSize) ?? defaults.minimumExtent)
    return diagnostics.count == reported ? policy : nil
  }

  /// An interval: `daily`, `weekly`, `monthly` (30 days) or a duration longer than zero.
  private func interval(_ field: Field) -> Duration? {
    let named: [String: Duration] = [
      "daily": .seconds(86_400), "weekly": .seconds(7 * 86_400), "monthly": .seconds(30 * 86_400),
    ]
    let expected = "daily, weekly, monthly or a duration like 12h or 14d"
    guard let text = text(field, expected: expected) else { return nil }
    if let duration = named[text] { return duration }
    guard let duration = try? ValueSyntax.duration(text), duration > .zero else {
      report("'\(field.name)': expected \(expected), found '\(text)'", at: field.node.mark)
      return nil
    }
    return duration
  }
}
