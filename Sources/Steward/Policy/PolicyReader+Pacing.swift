import Foundation

extension PolicyReader {
  /// The keys of `pacing`, in the order the reference documents them.
  static let pacingKeys = [
    "max-io-pressure", "max-memory-pressure", "grace-period", "in-flight-io-pressure",
    "on-pressure-in-flight", "max-busy-share", "protect-cgroup", "protect-quiet-period",
    "protect-finish-before-io",
  ]

  /// The `pacing` section: pressure bounds, the protected workload, yielding in flight, and the
  /// duty cycle.
  func pacing(_ field: Field) -> Pacing? {
    guard let fields = fields(of: field.node, "'pacing'", known: Self.pacingKeys) else {
      return nil
    }
    let io = fields["max-io-pressure"].flatMap { pressureBound($0) }
    let memory = fields["max-memory-pressure"].flatMap { pressureBound($0) }
    // Pressure is read every quarter of a second while a block group is relocated, so a grace
    // shorter than that acts as one reading above the bound.
    let grace = fields["grace-period"].flatMap {
      duration(
        $0, positive: true, allowingMilliseconds: true, whenLeftOut: "to never yield in flight")
    }
    let inFlight = fields["in-flight-io-pressure"].flatMap { pressureBound($0) }
    let yield = fields["on-pressure-in-flight"].flatMap { choice($0, of: YieldAction.self) }
    let busyShare = fields["max-busy-share"].flatMap { share($0) }
    let cgroup = fields["protect-cgroup"].flatMap { cgroupPath($0) }
    let quiet = fields["protect-quiet-period"].flatMap { quietPeriod($0) }
    let finishes = fields["protect-finish-before-io"].flatMap(boolean)
    for key in ["protect-quiet-period", "protect-finish-before-io"] {
      if let field = fields[key], fields["protect-cgroup"] == nil {
        report(
          "'\(key)': needs 'protect-cgroup', the workload that must be quiet", at: field.keyMark)
      }
    }
    if let graceField = fields["grace-period"], fields["max-io-pressure"] == nil,
      fields["max-memory-pressure"] == nil
    {
      report(
        "'grace-period': needs 'max-io-pressure' or 'max-memory-pressure', the pressure it waits"
          + " out", at: graceField.keyMark)
    }
    if let inFlightField = fields["in-flight-io-pressure"] {
      if fields["grace-period"] == nil || fields["max-io-pressure"] == nil {
        report(
          "'in-flight-io-pressure': needs 'max-io-pressure' and 'grace-period'",
          at: inFlightField.keyMark)
      } else if let inFlight, let io, inFlight < io {
        report(
          "'in-flight-io-pressure': must be at least 'max-io-pressure' (\(io.formatted())%): the"
            + " run's own relocation adds to the pressure it reads", at: inFlightField.node.mark)
      }
    }
    if let yieldField = fields["on-pressure-in-flight"], fields["grace-period"] == nil,
      fields["protect-cgroup"] == nil
    {
      report(
        "'on-pressure-in-flight': needs 'grace-period', how long pressure must stay high, or"
          + " 'protect-cgroup', whose I/O makes the run yield", at: yieldField.keyMark)
    }
    return Pacing(
      maxIOPressure: io, maxMemoryPressure: memory, gracePeriod: grace,
      inFlightIOPressure: inFlight, yield: yield ?? .pause, maxBusyShare: busyShare,
      protectedCgroup: cgroup,
      protectedQuietPeriod: quiet ?? Pacing.defaultProtectedQuietPeriod,
      finishesBeforeProtectedIO: finishes ?? true)
  }

  /// A cgroup v2 path from the hierarchy's root, below it (``CgroupHierarchy/isValidPath(_:)``).
  private func cgroupPath(_ field: Field) -> String? {
    let expected = "a cgroup v2 path like /user.slice"
    guard let path = text(field, expected: expected) else { return nil }
    guard CgroupHierarchy.isValidPath(path) else {
      report(
        "'\(field.name)': expected \(expected) (absolute, not '/', without empty, '.' or '..'"
          + " components or control characters), found \(field.node.summary)", at: field.node.mark)
      return nil
    }
    return path
  }

  /// A quiet period: more than zero, at most a minute, in milliseconds or seconds.
  private func quietPeriod(_ field: Field) -> Duration? {
    let expected = "a duration like 250ms or 1s"
    guard let period = value(field, expected: expected, ValueSyntax.shortDuration) else {
      return nil
    }
    guard period > .zero, period <= .seconds(60) else {
      report(
        "'\(field.name)': must be longer than zero and at most 1m, found \(field.node.summary)",
        at: field.node.mark)
      return nil
    }
    return period
  }

  /// A pressure bound: a percentage above 0% and below 100% (0% would never start, 100% never
  /// waits).
  private func pressureBound(_ field: Field) -> Double? {
    let expected = "a percentage like 20%"
    guard let percent = value(field, expected: expected, ValueSyntax.percent) else { return nil }
    guard percent > 0, percent < 100 else {
      report(
        "'\(field.name)': expected a percentage above 0% and below 100%, found \(field.node.summary)",
        at: field.node.mark)
      return nil
    }
    return percent
  }

  /// A share of wall time: a percentage above 0%, at most 100%.
  private func share(_ field: Field) -> Double? {
    let expected = "a percentage like 50%"
    guard let percent = value(field, expected: expected, ValueSyntax.percent) else { return nil }
    guard percent > 0 else {
      report(
        "'\(field.name)': must be above 0%; leave it out for no bound", at: field.node.mark)
      return nil
    }
    return percent
  }
}
