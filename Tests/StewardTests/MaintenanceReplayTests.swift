import Btrfs
import Foundation
import Testing

@testable import Steward

@Suite("Maintenance journal replay and compaction")
struct MaintenanceReplayTests {
  private static let start = Date(timeIntervalSince1970: 1_800_000_000)

  private func record(_ run: String, _ seconds: Double, _ event: JournalEvent) -> JournalRecord {
    JournalRecord(run: run, time: Self.start.addingTimeInterval(seconds), event: event)
  }

  private func counters(data: UInt64) -> ScrubCounters {
    var counters = ScrubCounters()
    counters.dataBytes = data
    return counters
  }

  @Test("a scrub job's finished extents, standing and totals; a moved chunk is not finished")
  func scrubHistory() {
    let records = [
      record(
        "s1", 0, .scrubStarted(devices: [1, 2], readOnly: false, policyPath: nil, processID: 7)),
      record("s1", 1, .scrubSpeedLimitSet(devid: 1, original: 0, applied: 5)),
      record(
        "s1", 2,
        .scrubExtentFinished(devid: 1, physical: 100, chunkVaddr: 9, counters: counters(data: 3))),
      record(
        "s1", 3,
        .scrubExtentFinished(devid: 1, physical: 200, chunkVaddr: 10, counters: counters(data: 4))),
      record("s1", 4, .scrubProgress(devid: 2, physical: 100, counters: counters(data: 1))),
      record("s1", 5, .scrubPaused(reason: .windowClosed)),
    ]
    let state = MaintenanceReplay.state(records)
    let job = try! #require(state.openScrub)
    #expect(job.standing == .paused(.windowClosed))
    #expect(job.devices == [1, 2])
    #expect(job.totals(devid: 1).dataBytes == 7)
    #expect(job.inFlight[2]?.physical == 100)
    #expect(job.hasFinished(DeviceExtent(devid: 1, physical: 100, length: 1, chunkVaddr: 9)))
    #expect(!job.hasFinished(DeviceExtent(devid: 1, physical: 100, length: 1, chunkVaddr: 11)))
    #expect(!job.hasFinished(DeviceExtent(devid: 2, physical: 100, length: 1, chunkVaddr: 9)))
    #expect(state.unrestoredSpeedLimits == [1: 0])
    #expect(state.lastFinishedScrub == nil)

    let finished = MaintenanceReplay.state(
      records + [
        record("s1", 6, .scrubResumed(processID: 8)),
        record("s1", 7, .scrubSpeedLimitRestored(devid: 1)),
        record("s1", 8, .scrubFinished(totals: [:])),
      ])
    #expect(finished.openScrub == nil)
    #expect(finished.lastFinishedScrub?.id == "s1")
    #expect(finished.unrestoredSpeedLimits.isEmpty)
  }

  @Test("device readings: the last per device, and how many were rises")
  func deviceStats() {
    let state = MaintenanceReplay.state([
      record("c1", 0, .deviceStatsRead(devid: 1, stats: DeviceStats())),
      record("c2", 1, .deviceStatsRead(devid: 1, stats: DeviceStats(corruptionErrors: 2))),
      record("c3", 2, .deviceStatsRead(devid: 2, stats: DeviceStats(readErrors: 1))),
      record(
        "c4", 3, .deviceStatsRead(devid: 1, stats: DeviceStats(readErrors: 0, corruptionErrors: 2))),
      record("c5", 4, .deviceStatsRead(devid: 1, stats: DeviceStats(corruptionErrors: 5))),
    ])
    #expect(state.deviceStats[1]?.stats == DeviceStats(corruptionErrors: 5))
    #expect(state.deviceStats[1]?.run == "c5")
    #expect(state.deviceErrorRises == [1: 2, 2: 1])
  }

  @Test("compaction keeps what maintenance still needs and drops the rest")
  func compaction() throws {
    let directory = try TemporaryDirectory("maintenance-compact")
    let file = try JournalFile(stateDirectory: directory.sub("state"), fsid: "f")
    var records: [JournalRecord] = []
    // 45 finished scrub jobs, each with a reading of device 1, then a trim and an open job whose
    // speed limit is still to be restored.
    for job in 1...45 {
      let base = Double(job * 100)
      records += [
        record(
          "s\(job)", base,
          .scrubStarted(devices: [1], readOnly: true, policyPath: nil, processID: 1)),
        record("s\(job)", base + 1, .scrubFinished(totals: [:])),
        record(
          "c\(job)", base + 2,
          .deviceStatsRead(devid: 1, stats: DeviceStats(readErrors: UInt64(job)))),
      ]
    }
    records += [
      record("t1", 5000, .trimFinished(trimmedBytes: 1)),
      record(
        "open", 5001, .scrubStarted(devices: [1], readOnly: false, policyPath: nil, processID: 1)),
      record("open", 5002, .scrubSpeedLimitSet(devid: 1, original: 0, applied: 9)),
    ]
    for record in records { try file.append(record) }
    try file.compact(keepingRuns: 10)
    let kept = try file.read().records
    let state = MaintenanceReplay.state(kept)
    #expect(Set(kept.map(\.run)).count < Set(records.map(\.run)).count)
    #expect(state.scrubs.count == 10)
    #expect(state.openScrub?.id == "open")
    #expect(state.unrestoredSpeedLimits == [1: 0])
    #expect(state.deviceStats[1]?.stats == DeviceStats(readErrors: 45))
    #expect(state.lastTrim?.run == "t1")
  }
}
