import Btrfs
import Foundation

/// One scrub job as the journal tells it: its devices, the device extents it finished with their
/// counters, and where it stands.
public struct ScrubHistory: Hashable, Sendable {
  /// Where a scrub job stands.
  public enum Standing: Hashable, Sendable {
    /// Its last record says it was scrubbing: it still runs, or it crashed.
    case running
    /// It paused for this reason; the next scrub run resumes it.
    case paused(StopReason)
    /// It was cancelled.
    case cancelled(StopReason)
    /// It scrubbed everything.
    case finished
  }

  /// The job's run id.
  public var id: String
  /// When it started.
  public var startedAt: Date
  /// The devices it scrubs.
  public var devices: [UInt64]
  /// Whether it only verifies.
  public var readOnly: Bool
  /// The process that wrote its last start or resume record.
  public var processID: Int32
  /// Every finished device extent, by device and physical start: the chunk it belonged to and its
  /// counters.
  public var finishedExtents: [UInt64: [UInt64: FinishedExtent]]
  /// The last progress journaled for each device's extent in flight.
  public var inFlight: [UInt64: (physical: UInt64, counters: ScrubCounters)]
  /// Where it stands.
  public var standing: Standing
  /// When its last record was written.
  public var lastRecordAt: Date

  /// Whether it has not ended: the next scrub run carries it on.
  public var isOpen: Bool {
    switch standing {
    case .running, .paused: true
    case .cancelled, .finished: false
    }
  }

  /// The sum of device `devid`'s finished extents' counters.
  public func totals(devid: UInt64) -> ScrubCounters {
    (finishedExtents[devid] ?? [:]).sorted { $0.key < $1.key }
      .reduce(ScrubCounters()) { $0.adding($1.value.counters) }
  }

  /// Whether `extent` was scrubbed to its end by this job: the same physical start, still of the
  /// same chunk (a balance between two runs of the job may have put another chunk there).
  public func hasFinished(_ extent: DeviceExtent) -> Bool {
    finishedExtents[extent.devid]?[extent.physical]?.chunkVaddr == extent.chunkVaddr
  }

  public static func == (lhs: ScrubHistory, rhs: ScrubHistory) -> Bool {
    lhs.id == rhs.id && lhs.lastRecordAt == rhs.lastRecordAt
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(id)
    hasher.combine(lastRecordAt)
  }
}

/// A device extent a scrub job finished.
public struct FinishedExtent: Hashable, Sendable {
  /// The chunk the extent belonged to.
  public var chunkVaddr: UInt64
  /// The kernel's counters for it.
  public var counters: ScrubCounters
}

/// What the journal says about a filesystem's maintenance: its scrub jobs, speed limits still to
/// restore, the device error counters last read, and the last trim.
public struct MaintenanceState: Sendable {
  /// Every scrub job, oldest first.
  public var scrubs: [ScrubHistory] = []
  /// Scrub speed limits a job changed and did not restore (it crashed): original values by device.
  public var unrestoredSpeedLimits: [UInt64: UInt64] = [:]
  /// The error counters last read from each device, and the run that journaled them.
  public var deviceStats: [UInt64: (stats: DeviceStats, run: String)] = [:]
  /// How many journaled readings of each device were a rise over the one before (the first one
  /// over zero).
  public var deviceErrorRises: [UInt64: Int] = [:]
  /// When the last trim ended, and its run.
  public var lastTrim: (time: Date, run: String)?
  /// The runs that changed a speed limit still unrestored.
  var speedLimitRuns: [UInt64: String] = [:]

  /// The open scrub job, if the last one has not ended.
  public var openScrub: ScrubHistory? { scrubs.last.flatMap { $0.isOpen ? $0 : nil } }

  /// When the last scrub that scrubbed everything ended.
  public var lastFinishedScrub: ScrubHistory? {
    scrubs.last { $0.standing == .finished }
  }

  /// The maintenance runs whose records compaction keeps: the newest `scrubJobs` scrub jobs and
  /// any open one, those holding each device's last error counters, the last trim, and any whose
  /// speed limit is still to be restored.
  public func runsToKeep(scrubJobs: Int) -> Set<String> {
    var kept = Set(scrubs.suffix(scrubJobs).map(\.id))
    if let openScrub { kept.insert(openScrub.id) }
    kept.formUnion(deviceStats.values.map(\.run))
    if let lastTrim { kept.insert(lastTrim.run) }
    kept.formUnion(speedLimitRuns.values)
    return kept
  }

  /// The number of distinct maintenance runs in the journal.
  public var runCount: Int
}

/// Replays journal records into the maintenance state. Balance records are ignored.
public enum MaintenanceReplay {
  /// The maintenance state the records tell of.
  public static func state(_ records: [JournalRecord]) -> MaintenanceState {
    var state = MaintenanceState(runCount: 0)
    var scrubIndex: [String: Int] = [:]
    var runs: Set<String> = []
    for record in records {
      if record.event.isMaintenance { runs.insert(record.run) }
      switch record.event {
      case .scrubStarted(let devices, let readOnly, _, let processID):
        scrubIndex[record.run] = state.scrubs.count
        state.scrubs.append(
          ScrubHistory(
            id: record.run, startedAt: record.time, devices: devices, readOnly: readOnly,
            processID: processID, finishedExtents: [:], inFlight: [:], standing: .running,
            lastRecordAt: record.time))
      case .scrubSpeedLimitSet(let devid, let original, _):
        if state.unrestoredSpeedLimits[devid] == nil {
          state.unrestoredSpeedLimits[devid] = original
          state.speedLimitRuns[devid] = record.run
        }
      case .scrubSpeedLimitRestored(let devid):
        state.unrestoredSpeedLimits[devid] = nil
        state.speedLimitRuns[devid] = nil
      case .deviceStatsRead(let devid, let stats):
        let previous = state.deviceStats[devid]?.stats ?? DeviceStats()
        if zip(previous.named, stats.named).contains(where: { $1.value > $0.value }) {
          state.deviceErrorRises[devid, default: 0] += 1
        }
        state.deviceStats[devid] = (stats, record.run)
      case .trimFinished:
        state.lastTrim = (record.time, record.run)
      default:
        break
      }
      guard let index = scrubIndex[record.run] else { continue }
      apply(record, to: &state.scrubs[index])
    }
    state.runCount = runs.count
    return state
  }

  private static func apply(_ record: JournalRecord, to scrub: inout ScrubHistory) {
    scrub.lastRecordAt = record.time
    switch record.event {
    case .scrubResumed(let processID):
      scrub.processID = processID
      scrub.standing = .running
    case .scrubExtentFinished(let devid, let physical, let chunkVaddr, let counters):
      scrub.finishedExtents[devid, default: [:]][physical] = FinishedExtent(
        chunkVaddr: chunkVaddr, counters: counters)
      scrub.inFlight[devid] = nil
    case .scrubProgress(let devid, let physical, let counters):
      scrub.inFlight[devid] = (physical, counters)
    case .scrubPaused(let reason):
      scrub.standing = .paused(reason)
    case .scrubCancelled(let reason):
      scrub.standing = .cancelled(reason)
    case .scrubFinished:
      scrub.standing = .finished
      scrub.inFlight = [:]
    default:
      break
    }
  }
}

extension JournalEvent {
  /// Whether the record belongs to a maintenance job (scrub, error watch, trim) rather than a
  /// balance run.
  var isMaintenance: Bool {
    switch self {
    case .runStarted, .runResumed, .operationStarted, .operationResumed, .operationFinished,
      .paused, .cancelled, .runFinished, .predictionChecked, .replanned, .waitingForMachine,
      .machineCalm, .operationYielded:
      false
    case .scrubStarted, .scrubResumed, .scrubSpeedLimitSet, .scrubSpeedLimitRestored,
      .scrubExtentFinished, .scrubProgress, .scrubPaused, .scrubCancelled, .scrubFinished,
      .deviceStatsRead, .trimFinished:
      true
    }
  }
}
