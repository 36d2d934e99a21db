import Foundation

/// The journal of one run: stamps events with the run's id and the time, and appends them.
public struct Journal: Sendable {
  /// The file the records go to.
  public let file: JournalFile
  /// The run the records belong to.
  public let runID: String
  private let now: @Sendable () -> Date

  /// A journal for run `runID` in `file`, stamping records with `now()`.
  public init(file: JournalFile, runID: String, now: @escaping @Sendable () -> Date) {
    self.file = file
    self.runID = runID
    self.now = now
  }

  /// Appends `event` and fsyncs it before returning.
  public func record(_ event: JournalEvent) throws(JournalError) {
    try record([event])
  }

  /// Appends `events` and fsyncs them, in one write, before returning.
  public func record(_ events: [JournalEvent]) throws(JournalError) {
    try file.append(contentsOf: stamped(events))
  }

  /// Appends `events` in one write without waiting for the disk: for records of what a later run
  /// finds out from the kernel again should a power loss take them (how an operation ended, a
  /// prediction check, a new plan). The next ``record(_:)`` makes them durable with its own
  /// records; a crash of the process alone loses nothing written.
  public func note(_ events: [JournalEvent]) throws(JournalError) {
    try file.append(contentsOf: stamped(events), durably: false)
  }

  /// `events` as this run's records, all stamped with the time now.
  private func stamped(_ events: [JournalEvent]) -> [JournalRecord] {
    let time = now()
    return events.map { JournalRecord(run: runID, time: time, event: $0) }
  }
}

extension JournalFile {
  /// Keeps the records of the newest `runs` runs and of any run still open, dropping older ones, when
  /// the journal holds more than twice that many runs (so most calls rewrite nothing). Maintenance
  /// runs are kept by the same count, and so are those whose records are still needed (see
  /// ``MaintenanceState/runsToKeep(scrubJobs:)``).
  public func compact(keepingRuns runs: Int = 20) throws(JournalError) {
    let records = try read().records
    let histories = JournalReplay.runs(records)
    let maintenance = MaintenanceReplay.state(records)
    guard histories.count > runs * 2 || maintenance.runCount > runs * 2 else { return }
    let kept = Set(histories.suffix(runs).map(\.id) + histories.filter(\.isOpen).map(\.id))
      .union(maintenance.runsToKeep(scrubJobs: runs))
    try replace(with: records.filter { kept.contains($0.run) })
  }
}
