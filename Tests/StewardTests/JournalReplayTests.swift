import Btrfs
import Foundation
import Testing

@testable import Steward

@Suite("Journal replay")
struct JournalReplayTests {
  typealias X = ExecutorFixtures

  private let plan: Plan
  private let relocated = OperationResult.relocated(relocatedBytes: 10 << 20, unallocatedAfter: 5)
  private let summary = RunSummary(
    ending: .completed, relocated: 1, skipped: 0, failed: 0, left: 0, relocatedBytes: 10 << 20,
    unallocatedBefore: 1, unallocatedAfter: 5)

  init() throws {
    plan = try X.plan()
  }

  /// Records of run `run` at one-second steps from the fixtures' start.
  private func records(_ events: [JournalEvent], run: String = "a") -> [JournalRecord] {
    events.enumerated().map { offset, event in
      JournalRecord(run: run, time: X.start + Double(offset), event: event)
    }
  }

  private var started: JournalEvent {
    .runStarted(plan: plan, policyPath: "/p.yaml", processID: 100)
  }

  private func operationStarted(_ index: Int) -> JournalEvent {
    let operation = plan.operations[index - 1]
    return .operationStarted(
      index: index, vaddr: operation.target.vaddr, arguments: operation.arguments)
  }

  @Test("started, operation started, operation finished, finished: a closed run")
  func finishedRun() throws {
    let runs = JournalReplay.runs(
      records([
        started, operationStarted(1), .operationFinished(index: 1, result: relocated),
        .runFinished(summary: summary),
      ]))
    let run = try #require(runs.first)
    #expect(runs.count == 1)
    #expect(run.id == "a")
    #expect(run.plan == plan)
    #expect(run.policyPath == "/p.yaml")
    #expect(run.processID == 100)
    #expect(run.startedAt == X.start)
    #expect(run.lastRecordAt == X.start + 3)
    #expect(run.results == [1: relocated])
    #expect(run.inFlight == nil)
    #expect(run.summary == summary)
    #expect(!run.isOpen)
    #expect(run.relocatedBytes == 10 << 20)
    #expect(run.remainingOperations.map(\.index) == Array(2...plan.operations.count))
  }

  @Test("started, operation started, paused: open, paused, the operation still in flight")
  func pausedRun() throws {
    let run = try #require(
      JournalReplay.runs(
        records([started, operationStarted(1), .paused(reason: .windowClosed, operation: 1)])
      ).last)
    #expect(run.outcome == .paused(.windowClosed))
    #expect(run.inFlight == 1)
    #expect(run.results.isEmpty)
    #expect(run.isOpen)
    #expect(run.remainingOperations.first?.index == 1)
  }

  @Test("started, operation started, then nothing (a crash): open, running, in flight")
  func crashedRun() throws {
    let run = try #require(
      JournalReplay.runs(
        records([
          started, operationStarted(1), .operationFinished(index: 1, result: relocated),
          operationStarted(2),
        ])
      ).last)
    #expect(run.outcome == nil)
    #expect(run.inFlight == 2)
    #expect(run.results == [1: relocated])
    #expect(run.isOpen)
    #expect(run.remainingOperations.map(\.index).first == 2)
  }

  @Test("cancelled: closed, nothing in flight")
  func cancelledRun() throws {
    let run = try #require(
      JournalReplay.runs(
        records([started, operationStarted(1), .cancelled(reason: .external, operation: 1)])
      ).last)
    #expect(run.outcome == .cancelled(.external))
    #expect(run.inFlight == nil)
    #expect(!run.isOpen)
  }

  @Test("resumed after a pause: running again, in a new process, the operation resumed")
  func resumedRun() throws {
    let events: [JournalEvent] = [
      started, operationStarted(1), .paused(reason: .signal, operation: 1),
      .runResumed(processID: 200),
    ]
    let resumed = try #require(JournalReplay.runs(records(events)).last)
    #expect(resumed.outcome == nil)
    #expect(resumed.processID == 200)
    #expect(resumed.inFlight == 1)
    #expect(resumed.isOpen)

    let finished = try #require(
      JournalReplay.runs(
        records(
          events + [
            .operationResumed(index: 1), .operationFinished(index: 1, result: relocated),
            .runFinished(summary: summary),
          ])
      ).last)
    #expect(finished.summary == summary)
    #expect(finished.results == [1: relocated])
    #expect(finished.inFlight == nil)
    #expect(finished.processID == 200)
  }

  @Test("a pause between operations leaves nothing in flight")
  func pausedBetweenOperations() throws {
    let run = try #require(
      JournalReplay.runs(
        records([
          started, operationStarted(1), .operationFinished(index: 1, result: relocated),
          .paused(reason: .maxRuntime, operation: nil),
        ])
      ).last)
    #expect(run.outcome == .paused(.maxRuntime))
    #expect(run.inFlight == nil)
    #expect(run.results.keys.sorted() == [1])
  }

  @Test("runs are told apart by id, oldest first; records of an unknown run are ignored")
  func severalRuns() throws {
    let first = records([started, .runFinished(summary: summary)], run: "a")
    let stray = records([operationStarted(1), .runFinished(summary: summary)], run: "ghost")
    let second = records([started, operationStarted(2)], run: "b")
    let runs = JournalReplay.runs(first + stray + second)
    #expect(runs.map(\.id) == ["a", "b"])
    #expect(runs[0].summary == summary)
    #expect(runs[1].outcome == nil)
    #expect(runs[1].inFlight == 2)
  }

  @Test("the replay of what the executor wrote survives a round-trip through the file")
  func replayThroughFile() throws {
    let directory = try TemporaryDirectory("replay")
    let file = try JournalFile(stateDirectory: directory.sub("state"), fsid: X.fsid)
    let written = records([started, operationStarted(1), .paused(reason: .onBattery, operation: 1)])
    for record in written { try file.append(record) }
    #expect(JournalReplay.runs(try file.read().records) == JournalReplay.runs(written))
  }
}
