import Btrfs
import Foundation
import Synchronization
import Testing

@testable import Steward

/// A protected workload's activity the test sets; each look can also run an action (advance the
/// test clock).
final class ScriptedActivity: WorkloadActivity {
  private let busy: Mutex<Bool>
  private let count = Mutex(0)
  private let onLook: (@Sendable () -> Void)?
  let name = "cgroup /foreground"

  init(busy: Bool, onLook: (@Sendable () -> Void)? = nil) {
    self.busy = Mutex(busy)
    self.onLook = onLook
  }

  /// Looks so far.
  var looks: Int { count.withLock { $0 } }

  func set(busy new: Bool) { busy.withLock { $0 = new } }

  func didIO() throws(PressureError) -> Bool {
    count.withLock { $0 += 1 }
    onLook?()
    return busy.withLock { $0 }
  }
}

@Suite("Executor: pacing by a protected workload's I/O")
struct ExecutorWorkloadTests {
  typealias X = ExecutorFixtures
  static let cgroup = "/foreground"

  private func protecting(
    quiet: Duration = .milliseconds(500), yield: YieldAction = .pause, windows: [TimeWindow] = []
  ) -> Policy {
    var policy = X.policy(windows: windows)
    policy.pacing = Pacing(yield: yield, protectedCgroup: Self.cgroup, protectedQuietPeriod: quiet)
    return policy
  }

  @Test("a block group starts only once the workload has done no I/O for the quiet period")
  func waitsForQuiet() throws {
    let harness = try ExecutorHarness()
    let clock = harness.clock
    let activity = ScriptedActivity(busy: true) { clock.advance(by: 0.1) }
    let policy = protecting(quiet: .milliseconds(500))
    let plan = try X.plan(policy)
    once({ activity.looks >= 5 }, { activity.set(busy: false) })
    let end = try harness.execute(plan, policy, workload: activity)
    #expect(end.kind == "finished completed")
    #expect(end.relocated == plan.operations.count)
    let records = try harness.records()
    #expect(
      Array(records.map(\.event.name).prefix(4)) == [
        "runStarted", "waitingForMachine 1", "machineCalm", "operationStarted 1",
      ])
    // The quiet period is the workload's, on the run's clock: five looks 0.1 s apart after the
    // last one that saw I/O.
    guard case .machineCalm(let waited) = records[2].event else { return }
    #expect(waited >= 0.5)
    guard case .waitingForMachine(_, let pressure, let workload) = records[1].event else { return }
    #expect(pressure == nil && workload == "cgroup /foreground")
    let waiting = try #require(JournalReplay.runs(Array(records.prefix(2))).last)
    #expect(waiting.waitingForWorkload == "cgroup /foreground")
    #expect(JournalReplay.runs(Array(records.prefix(3))).last?.waitingForWorkload == nil)
    // No I/O while relocating: no yields, and no waits between block groups beyond the first.
    #expect(!harness.events.current.contains { $0.tag?.hasPrefix("yielding") == true })
  }

  @Test("the workload's I/O during a block group cancels it at once; it runs again once quiet")
  func yieldsWhenBusy() throws {
    let harness = try ExecutorHarness(cancelsWithinBlockGroup: true)
    let clock = harness.clock
    let activity = ScriptedActivity(busy: false) { clock.advance(by: 0.1) }
    let policy = protecting(quiet: .milliseconds(250), yield: .cancel)
    let plan = try X.plan(policy)
    let filesystem = harness.filesystem
    harness.hook.set { count, _ in
      guard count == 1 else { return }
      activity.set(busy: true)
      let deadline = Date() + 5
      while ((try? filesystem.balanceProgress()) ?? nil)?.isCancelRequested != true,
        Date() < deadline
      {
        Thread.sleep(forTimeInterval: 0.001)
      }
    }
    once(harness.waits(for: 1, count: 2)) { activity.set(busy: false) }
    let end = try harness.execute(plan, policy, workload: activity)
    harness.hook.set(nil)
    #expect(end.kind == "finished completed")
    #expect(end.relocated == plan.operations.count)
    let names = try harness.records().map(\.event.name)
    let first = try #require(names.firstIndex(of: "operationStarted 1"))
    #expect(
      Array(names[first...].prefix(5)) == [
        "operationStarted 1", "operationYielded 1", "waitingForMachine 1", "machineCalm",
        "operationStarted 1",
      ])
    let (started, finished) = try harness.startsAndFinishes()
    #expect(started[1] == 2 && finished[1] == 1)
    #expect(harness.events.current.contains { $0.tag == "yielding 1 cancel" })
  }

  @Test("a stop request ends a wait for the workload at once")
  func aStopEndsAWait() throws {
    let harness = try ExecutorHarness()
    let stops = StopRequests()
    let activity = ScriptedActivity(busy: true)
    let policy = protecting()
    let plan = try X.plan(policy)
    once(harness.waits(for: 1)) { stops.request(.pause(.signal)) }
    // Without the stop the wait would never end: the workload never stops.
    let end = try harness.execute(plan, policy, stops: stops, workload: activity)
    #expect(end.kind == "paused signal")
    #expect(
      try harness.records().map(\.event.name)
        == ["runStarted", "waitingForMachine 1", "paused signal -"])
    #expect(try harness.startsAndFinishes().started.isEmpty)
  }

  @Test("a closing window ends a wait for the workload at once")
  func aClosingWindowEndsAWait() throws {
    let harness = try ExecutorHarness()
    let activity = ScriptedActivity(busy: true)
    // The window is open 00:00–01:00 and the run starts at 00:30.
    let policy = protecting(windows: [X.dailyWindow(0, 1)])
    let plan = try X.plan(policy)
    let clock = harness.clock
    once(harness.waits(for: 1)) { clock.advance(by: 1800) }
    let end = try harness.execute(plan, policy, workload: activity)
    #expect(end.kind == "paused \(StopReason.windowClosed.rawValue)")
    #expect(
      try harness.records().map(\.event.name)
        == ["runStarted", "waitingForMachine 1", "paused \(StopReason.windowClosed.rawValue) -"])
  }

  @Test("activity that cannot be read counts as busy")
  func unreadableActivityWaits() throws {
    let harness = try ExecutorHarness()
    let stops = StopRequests()
    let policy = protecting()
    let plan = try X.plan(policy)
    once(harness.waits(for: 1)) { stops.request(.pause(.signal)) }
    let end = try harness.execute(plan, policy, stops: stops, workload: nil)
    #expect(end.kind == "paused signal")
    #expect(
      try harness.records().map(\.event.name) == [
        "runStarted", "waitingForMachine 1", "paused signal -",
      ])
  }
}
