import Btrfs
import Foundation
import Synchronization
import Testing

@testable import Steward

/// A pressure gauge the test sets; each reading can also run an action (advance the test clock).
final class ScriptedGauge: PressureGauge {
  private let level: Mutex<MachinePressure>
  private let count = Mutex(0)
  private let onSample: (@Sendable () -> Void)?

  init(_ level: MachinePressure, onSample: (@Sendable () -> Void)? = nil) {
    self.level = Mutex(level)
    self.onSample = onSample
  }

  /// Readings so far.
  var readings: Int { count.withLock { $0 } }

  func set(_ new: MachinePressure) { level.withLock { $0 = new } }

  func sample() throws(PressureError) -> MachinePressure {
    count.withLock { $0 += 1 }
    onSample?()
    return level.withLock { $0 }
  }
}

@Suite("Executor: pacing by the machine's pressure")
struct ExecutorPacingTests {
  typealias X = ExecutorFixtures
  static let busy = MachinePressure(io: 50, memory: 0)
  static let calm = MachinePressure(io: 2, memory: 0)

  private func paced(_ pacing: Pacing, limits: Limits = Limits(), windows: [TimeWindow] = [])
    -> Policy
  {
    var policy = X.policy(windows: windows, limits: limits)
    policy.pacing = pacing
    return policy
  }

  /// At block group `operation`, pressure turns high, and its relocation lasts until the run has
  /// asked the kernel to stop it (`requested`), so the yield lands within the block group.
  private func pressureRises(
    during operation: Int, _ harness: ExecutorHarness, _ gauge: ScriptedGauge,
    until requested: @escaping @Sendable (BalanceProgress) -> Bool
  ) {
    let filesystem = harness.filesystem
    harness.hook.set { count, _ in
      guard count == operation else { return }
      gauge.set(Self.busy)
      let deadline = Date() + 5
      while ((try? filesystem.balanceProgress()) ?? nil).map(requested) != true, Date() < deadline {
        Thread.sleep(forTimeInterval: 0.001)
      }
    }
  }

  @Test("before a block group the run waits while pressure is above the bound, journaling the wait")
  func waitsBeforeABlockGroup() throws {
    let harness = try ExecutorHarness()
    let clock = harness.clock
    let gauge = ScriptedGauge(Self.busy) { clock.advance(by: 1) }
    let policy = paced(Pacing(maxIOPressure: 10))
    let plan = try X.plan(policy)
    once({ gauge.readings >= 5 }, { gauge.set(Self.calm) })
    let end = try harness.execute(plan, policy, pressure: gauge)
    let summary = end
    guard summary.ending.isFinished else {
      Issue.record("expected the run to finish, got \(end)")
      return
    }
    #expect(summary.relocated == plan.operations.count)
    let records = try harness.records()
    let names = records.map(\.event.name)
    #expect(
      Array(names.prefix(4)) == [
        "runStarted", "waitingForMachine 1", "machineCalm", "operationStarted 1",
      ])
    #expect(names.filter { $0.hasPrefix("waitingForMachine") }.count == 1)
    guard case .machineCalm(let waited) = records[2].event else { return }
    #expect(waited >= 4)
    // While it waits, the journal (and so `status`) says since when, and why.
    let waiting = try #require(JournalReplay.runs(Array(records.prefix(2))).last)
    #expect(waiting.waitingForMachineSince == records[1].time)
    #expect(waiting.waitingPressure == Self.busy)
    #expect(JournalReplay.runs(Array(records.prefix(3))).last?.waitingForMachineSince == nil)
    #expect(
      harness.events.current.compactMap(\.tag).prefix(3) == [
        "run starting carriedOn=false done=0", "waiting 1", "calm",
      ])
  }

  @Test("pressure that cannot be read counts as too high")
  func unreadablePressureWaits() throws {
    let harness = try ExecutorHarness()
    let stops = StopRequests()
    let policy = paced(Pacing(maxIOPressure: 10))
    let plan = try X.plan(policy)
    once(harness.waits(for: 1)) { stops.request(.pause(.signal)) }
    let end = try harness.execute(plan, policy, stops: stops, pressure: nil)
    #expect(end.kind == "paused signal")
    #expect(
      try harness.records().map(\.event.name) == [
        "runStarted", "waitingForMachine 1", "paused signal -",
      ])
  }

  @Test("a stop request ends a wait at once")
  func aStopEndsAWait() throws {
    let harness = try ExecutorHarness()
    let stops = StopRequests()
    let gauge = ScriptedGauge(Self.busy)
    let policy = paced(Pacing(maxIOPressure: 10))
    let plan = try X.plan(policy)
    let requestedAt = Shared<Date?>(nil)
    once(harness.waits(for: 1)) {
      Thread.sleep(forTimeInterval: 0.1)
      requestedAt.set(Date())
      stops.request(.pause(.signal))
    }
    let end = try harness.execute(plan, policy, stops: stops, pressure: gauge)
    let returned = Date()
    #expect(end.kind == "paused signal")
    let requested = try #require(requestedAt.current)
    // Generous for a loaded machine; without the stop the wait would never end.
    #expect(returned.timeIntervalSince(requested) < 0.5)
    #expect(
      try harness.records().map(\.event.name)
        == ["runStarted", "waitingForMachine 1", "paused signal -"])
    #expect(try harness.startsAndFinishes().started.isEmpty)
  }

  @Test(
    "a closing window or max-runtime ends a wait at once",
    arguments: [(StopReason.windowClosed, 1800.0), (.maxRuntime, 7200)])
  func theClockEndsAWait(_ reason: StopReason, _ advance: Double) throws {
    let harness = try ExecutorHarness()
    let gauge = ScriptedGauge(Self.busy)
    // The window is open 00:00–01:00 and the run starts at 00:30; max-runtime is one hour.
    let policy = paced(
      Pacing(maxIOPressure: 10),
      limits: Limits(maxRuntime: reason == .maxRuntime ? .seconds(3600) : nil),
      windows: reason == .windowClosed ? [X.dailyWindow(0, 1)] : [])
    let plan = try X.plan(policy)
    let clock = harness.clock
    once(harness.waits(for: 1)) { clock.advance(by: advance) }
    let end = try harness.execute(plan, policy, pressure: gauge)
    #expect(end.kind == "paused \(reason.rawValue)")
    #expect(
      try harness.records().map(\.event.name)
        == ["runStarted", "waitingForMachine 1", "paused \(reason.rawValue) -"])
  }

  @Test(
    "pressure high for the grace period pauses the balance after its block group; the next waits")
  func gracePeriodPause() throws {
    let harness = try ExecutorHarness()
    let clock = harness.clock
    let gauge = ScriptedGauge(Self.calm) { clock.advance(by: 1) }
    let policy = paced(Pacing(maxIOPressure: 10, gracePeriod: .seconds(2), yield: .pause))
    let plan = try X.plan(policy)
    pressureRises(during: 1, harness, gauge, until: { $0.isPauseRequested })
    once(harness.waits(for: 2)) { gauge.set(Self.calm) }
    let end = try harness.execute(plan, policy, pressure: gauge)
    harness.hook.set(nil)
    #expect(end.kind == "finished completed")
    #expect(end.relocated == plan.operations.count)
    // The pause lands after the block group moved: nothing is left paused in the kernel, and the
    // run waits for the machine before the next block group.
    let names = try harness.records().map(\.event.name)
    #expect(
      Array(names.prefix(6)) == [
        "runStarted", "operationStarted 1", "operationFinished 1 relocated",
        "waitingForMachine 2", "machineCalm", "operationStarted 2",
      ])
    #expect(harness.events.current.contains { $0.tag == "yielding 1 pause" })
    #expect(try harness.startsAndFinishes().started[1] == 1)
  }

  @Test(
    "a stop while the run waits after a pressure pause leaves nothing in the kernel; the next run carries on"
  )
  func stopDuringAPressurePause() throws {
    let harness = try ExecutorHarness()
    let clock = harness.clock
    let gauge = ScriptedGauge(Self.calm) { clock.advance(by: 1) }
    let stops = StopRequests()
    let policy = paced(Pacing(maxIOPressure: 10, gracePeriod: .seconds(2), yield: .pause))
    let plan = try X.plan(policy)
    pressureRises(during: 1, harness, gauge, until: { $0.isPauseRequested })
    once(harness.waits(for: 2)) { stops.request(.pause(.signal)) }
    let end = try harness.execute(plan, policy, stops: stops, pressure: gauge)
    harness.hook.set(nil)
    #expect(end.kind == "paused signal")
    #expect(try harness.records().last?.event.name == "paused signal -")
    #expect(try harness.filesystem.balanceProgress() == nil)
    let paused = try harness.lastRun()
    #expect(paused.inFlight == nil)
    #expect(paused.results[1] != nil)
    gauge.set(Self.calm)
    let carried = try harness.execute(plan, policy, continuing: paused, pressure: gauge)
    #expect(carried.kind == "finished completed")
    #expect(carried.relocated == plan.operations.count)
  }

  @Test("cancelling in flight abandons the block group; it runs again as the same operation")
  func cancelInFlightAndRetry() throws {
    let harness = try ExecutorHarness(cancelsWithinBlockGroup: true)
    let clock = harness.clock
    let gauge = ScriptedGauge(Self.calm) { clock.advance(by: 1) }
    let policy = paced(
      Pacing(maxIOPressure: 10, gracePeriod: .seconds(2), inFlightIOPressure: 40, yield: .cancel))
    let plan = try X.plan(policy)
    pressureRises(during: 1, harness, gauge, until: { $0.isCancelRequested })
    once(harness.waits(for: 1)) { gauge.set(Self.calm) }
    let end = try harness.execute(plan, policy, pressure: gauge)
    harness.hook.set(nil)
    #expect(end.kind == "finished completed")
    #expect(end.relocated == plan.operations.count)
    let records = try harness.records()
    let names = records.map(\.event.name)
    #expect(
      Array(names.prefix(6)) == [
        "runStarted", "operationStarted 1", "operationYielded 1", "waitingForMachine 1",
        "machineCalm", "operationStarted 1",
      ])
    let (started, finished) = try harness.startsAndFinishes()
    #expect(started[1] == 2 && finished[1] == 1)
    #expect(harness.hook.count == plan.operations.count + 1)
    // Between the yield and the retry nothing is in flight and the operation has no result.
    let yielded = try #require(JournalReplay.runs(Array(records.prefix(3))).last)
    #expect(yielded.inFlight == nil)
    #expect(yielded.results[1] == nil)
    #expect(yielded.remainingOperations.count == plan.operations.count)
    #expect(harness.events.current.contains { $0.tag == "yielded 1" })
  }

  @Test("the duty cycle rests so that at most the given share of wall time is spent relocating")
  func dutyCycle() throws {
    let harness = try ExecutorHarness()
    let policy = paced(Pacing(maxBusyShare: 25))
    let plan = try X.plan(policy)
    harness.hook.set { _, _ in Thread.sleep(forTimeInterval: 0.05) }
    let started = Date()
    let end = try harness.execute(plan, policy)
    let wall = Date().timeIntervalSince(started)
    harness.hook.set(nil)
    #expect(end.kind == "finished completed")
    let count = plan.operations.count
    // Each operation took at least 0.05 s, and after each but the last the run rested until the
    // busy share was at most 25 %: wall time is at least 4 × the busy time before the last
    // operation. (How many rests that takes depends on how long the run spent between operations,
    // which a loaded machine stretches, so the rests are not counted.)
    #expect(wall >= 4 * 0.05 * Double(count - 1))
  }
}
