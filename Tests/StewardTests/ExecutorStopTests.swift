import Btrfs
import Foundation
import Testing

@testable import Steward

@Suite("Executor: stops, pauses and carrying on")
struct ExecutorStopTests {
  typealias X = ExecutorFixtures

  /// Runs the standard plan under `policy`, calling `atThird` just before the third block group is
  /// relocated.
  private func runStopping(
    _ policy: Policy = X.policy(), stops: StopRequests = StopRequests(),
    atThird: @escaping @Sendable (ExecutorHarness.Parts) -> Void
  ) throws -> (ExecutorHarness, Plan, RunSummary) {
    let harness = try ExecutorHarness()
    let plan = try X.plan(policy)
    try #require(plan.operations.count > 4)
    let parts = harness.parts(stops: stops)
    harness.hook.set { count, _ in
      if count == 3 { atThird(parts) }
    }
    let end = try harness.execute(plan, policy, stops: stops)
    harness.hook.set(nil)
    return (harness, plan, end)
  }

  /// Checks that the run stopped after its third operation, whose block group was relocated (the
  /// simulator, like the kernel, finishes the block group in flight).
  private func expectStoppedAfterThird(_ harness: ExecutorHarness, _ plan: Plan, _ end: RunSummary)
    throws
  {
    #expect(end.relocated == 3)
    #expect(end.left == plan.operations.count - 3)
    let (started, finished) = try harness.startsAndFinishes()
    #expect(started == [1: 1, 2: 1, 3: 1])
    #expect(finished == [1: 1, 2: 1, 3: 1])
    #expect(!harness.exists(plan.operations[2]))
    #expect(harness.exists(plan.operations[3]))
    #expect(try harness.filesystem.balanceProgress() == nil)
  }

  @Test("a pause asked for at the third block group pauses after it; carrying on finishes the plan")
  func pauseThenCarryOn() throws {
    let stops = StopRequests()
    let (harness, plan, end) = try runStopping(stops: stops) { parts in
      parts.stops.request(.pause(.signal))
    }
    let summary = end
    guard summary.ending == .paused(.signal) else {
      Issue.record("expected a pause for a signal, got \(end)")
      return
    }
    try expectStoppedAfterThird(harness, plan, end)
    #expect(summary.failed == 0 && summary.skipped == 0)
    #expect(end.ending.exitStatus == .paused)
    #expect(try harness.records().last?.event.name == "paused signal -")
    let paused = try harness.lastRun()
    #expect(paused.outcome == .paused(.signal))
    #expect(paused.inFlight == nil)
    #expect(paused.isOpen)
    #expect(paused.results.keys.sorted() == [1, 2, 3])
    #expect(harness.events.current.contains { $0.tag == "stopping pause signal" })

    harness.events.set([])
    let resumed = try harness.execute(paused.plan, X.policy(), continuing: paused)

    let final = resumed
    guard final.ending.isFinished else {
      Issue.record("expected the carried-on run to finish, got \(resumed)")
      return
    }
    let count = plan.operations.count
    #expect(final.ending == .completed)
    #expect(final.relocated == count)
    #expect(final.left == 0)
    let (started, finished) = try harness.startsAndFinishes()
    let once = Dictionary(uniqueKeysWithValues: (1...count).map { ($0, 1) })
    #expect(started == once)
    #expect(finished == once)
    #expect(try harness.results().values.allSatisfy { $0.isRelocated })
    for operation in plan.operations { #expect(!harness.exists(operation)) }
    let names = try harness.records().map(\.event.name)
    #expect(names.filter { $0 == "runStarted" }.count == 1)
    #expect(names.firstIndex(of: "runResumed") == names.firstIndex(of: "paused signal -")! + 1)
    #expect(names.last == "runFinished completed")
    #expect(try harness.lastRun().summary == final)
    #expect(harness.events.current.compactMap(\.tag).first == "run starting carriedOn=true done=3")
    #expect(
      harness.events.current.compactMap(\.tag).dropFirst().first == "start 4 4/\(count)")
  }

  @Test("after a crash with an operation journaled and done, carrying on does not start it again")
  func crashAfterRelocation() throws {
    let (harness, plan, _) = try runStopping { $0.stops.request(.pause(.signal)) }
    // A second process resumed, started operation 4, the kernel relocated it, and the process died
    // (or a power loss took its operationFinished, which is written without an fsync of its own).
    let fourth = plan.operations[3]
    try harness.journal.record(.runResumed(processID: 999_999))
    try harness.journal.record(
      .operationStarted(index: 4, vaddr: fourth.target.vaddr, arguments: fourth.arguments))
    _ = try harness.filesystem.startBalance(fourth.arguments)
    let crashed = try harness.lastRun()
    try #require(crashed.outcome == nil)
    try #require(crashed.inFlight == 4)

    let end = try harness.execute(crashed.plan, X.policy(), continuing: crashed)

    #expect(end.ending == .completed)
    #expect(end.relocated == plan.operations.count)
    let (started, finished) = try harness.startsAndFinishes()
    #expect(started[4] == 1)
    #expect(finished[4] == 1)
    #expect(started.values.allSatisfy { $0 == 1 })
    #expect(finished.count == plan.operations.count)
    guard case .relocated(let bytes, _)? = try harness.results()[4] else {
      Issue.record("operation 4 is not journaled as relocated")
      return
    }
    #expect(bytes == fourth.target.used)
  }

  @Test("after a crash before the kernel moved the block group, its operation runs again")
  func crashBeforeRelocation() throws {
    let (harness, plan, _) = try runStopping { $0.stops.request(.pause(.signal)) }
    let fourth = plan.operations[3]
    try harness.journal.record(.runResumed(processID: 999_999))
    try harness.journal.record(
      .operationStarted(index: 4, vaddr: fourth.target.vaddr, arguments: fourth.arguments))
    let crashed = try harness.lastRun()

    let end = try harness.execute(crashed.plan, X.policy(), continuing: crashed)

    #expect(end.ending == .completed)
    #expect(end.relocated == plan.operations.count)
    let (started, finished) = try harness.startsAndFinishes()
    #expect(started[4] == 2)
    #expect(finished[4] == 1)
    #expect(!harness.exists(fourth))
  }

  @Test(
    "a balance left paused in the kernel, its filters changed by a kernel resume, is recognised by its vrange and cancelled, never resumed"
  )
  func recognisesKernelChangedBalance() throws {
    let harness = try ExecutorHarness()
    let policy = X.policy()
    let plan = try X.plan(policy)
    let first = plan.operations[0]
    try harness.journal.record(.runStarted(plan: plan, policyPath: nil, processID: 999_999))
    try harness.journal.record(
      .operationStarted(index: 1, vaddr: first.target.vaddr, arguments: first.arguments))
    try harness.journal.record(.paused(reason: .signal, operation: 1))
    // What the kernel's update_balance_args() makes of the arguments on a resume: usage=90 added.
    var resumed = first.arguments
    resumed.data?.usage = .below(90)
    try harness.leavePausedBalance(resumed)
    let paused = try harness.lastRun()
    try #require(paused.inFlight == 1)
    #expect(paused.owns(try #require(try harness.filesystem.balanceProgress())))

    let end = try harness.execute(plan, policy, continuing: paused)

    #expect(end.ending == .completed)
    #expect(try harness.filesystem.balanceProgress() == nil)
    #expect(try harness.startsAndFinishes().started[1] == 1, "relocated before the pause")
    #expect(try harness.results()[1]?.isRelocated == true)
    #expect(!harness.exists(first))
  }

  @Test("a pause mid-operation leaves no balance paused in the kernel and counts the block group")
  func pauseLeavesNothingInKernel() throws {
    let harness = try ExecutorHarness()
    let policy = X.policy()
    let plan = try X.plan(policy)
    let stops = StopRequests()
    harness.hook.set { count, _ in if count == 2 { stops.request(.pause(.signal)) } }
    let end = try harness.execute(plan, policy, stops: stops)
    harness.hook.set(nil)

    let summary = end
    guard summary.ending == .paused(.signal) else {
      Issue.record("expected a pause for a signal, got \(end)")
      return
    }
    #expect(try harness.filesystem.balanceProgress() == nil)
    #expect(summary.relocated == 2, "the block group in flight moved before the pause")
    #expect(try harness.lastRun().inFlight == nil)
  }

  @Test("a cancel while the kernel is pausing cancels the run, with nothing left paused")
  func cancelWhilePausing() throws {
    let harness = try ExecutorHarness()
    let policy = X.policy()
    let plan = try X.plan(policy)
    let stops = StopRequests()
    // The pause is honoured after the block group in flight; the cancel comes while the kernel
    // waits to honour it.
    let filesystem = harness.filesystem
    harness.hook.set { count, _ in
      guard count == 2 else { return }
      stops.request(.pause(.signal))
      let deadline = Date() + 5
      while (try? filesystem.balanceProgress())??.isPauseRequested != true, Date() < deadline {
        Thread.sleep(forTimeInterval: 0.001)
      }
      requestFromAnotherThread(stops, .cancel(.signal))
    }
    let end = try harness.execute(plan, policy, stops: stops)
    harness.hook.set(nil)

    guard end.ending == .cancelled(.signal) else {
      Issue.record("expected a cancel for a signal, got \(end)")
      return
    }
    #expect(end.ending.exitStatus == .cancelled)
    #expect(try harness.filesystem.balanceProgress() == nil)
    #expect(try harness.lastRun().outcome == .cancelled(.signal))
  }

  @Test(
    "a journaled operation whose rule is not in the policy, or whose block group changed type, is never run"
  )
  func forgedOperationIsNotRun() throws {
    let harness = try ExecutorHarness()
    let policy = X.policy()
    let plan = try X.plan(policy)
    var forged = plan
    forged.operations[0].rule = "forged-rule"
    forged.operations[1].target.type = .metadata
    try harness.journal.record(.runStarted(plan: forged, policyPath: nil, processID: 999_999))
    try harness.journal.record(.paused(reason: .signal, operation: nil))
    let paused = try harness.lastRun()

    let end = try harness.execute(forged, policy, continuing: paused)

    #expect(end.ending == .completed)
    let results = try harness.results()
    #expect(results[1] == .skipped(reason: "its rule 'forged-rule' is not in the policy"))
    #expect(results[2] == .skipped(reason: "the block group is data, not metadata"))
    #expect(try harness.startsAndFinishes().started[1] == nil)
    #expect(try harness.startsAndFinishes().started[2] == nil)
    #expect(harness.exists(forged.operations[0]))
  }

  @Test("a cancel asked for at the third block group cancels the run after it")
  func cancel() throws {
    let (harness, plan, end) = try runStopping { parts in
      requestFromAnotherThread(parts.stops, .cancel(.signal))
    }
    let summary = end
    guard summary.ending == .cancelled(.signal) else {
      Issue.record("expected a cancel for a signal, got \(end)")
      return
    }
    try expectStoppedAfterThird(harness, plan, end)
    #expect(summary.ending == .cancelled(.signal))
    #expect(end.ending.exitStatus == .cancelled)
    #expect(try harness.records().last?.event.name == "cancelled signal -")
    let run = try harness.lastRun()
    #expect(run.outcome == .cancelled(.signal))
    #expect(!run.isOpen)
    #expect(run.inFlight == nil)
  }

  @Test("a cancel outranks a pause asked for before it")
  func cancelOutranksPause() throws {
    let (harness, plan, end) = try runStopping { parts in
      parts.stops.request(.pause(.signal))
      requestFromAnotherThread(parts.stops, .cancel(.external))
    }
    guard end.ending == .cancelled(.external) else {
      Issue.record("expected a cancel from outside, got \(end)")
      return
    }
    try expectStoppedAfterThird(harness, plan, end)
    #expect(try harness.lastRun().outcome == .cancelled(.external))
  }

  @Test("a window that closes mid-run pauses the run for window-closed")
  func windowCloses() throws {
    // Open 00:00–01:00 UTC every day; the run starts at 00:30 and the clock jumps to 01:05.
    let policy = X.policy(windows: [X.dailyWindow(0, 1)])
    let (harness, plan, end) = try runStopping(policy) { parts in
      parts.clock.set(X.start + 35 * 60)
    }
    guard end.ending == .paused(.windowClosed) else {
      Issue.record("expected a pause for the window, got \(end)")
      return
    }
    try expectStoppedAfterThird(harness, plan, end)
    #expect(try harness.lastRun().outcome == .paused(.windowClosed))
    #expect(try harness.records().last?.time == X.start + 35 * 60)
  }

  @Test("a window that closes during pause-between is noticed at once, not when the wait ends")
  func windowClosesDuringPauseBetween() throws {
    let harness = try ExecutorHarness()
    let policy = X.policy(
      windows: [X.dailyWindow(0, 1)], limits: Limits(pauseBetween: .seconds(600)))
    let plan = try X.plan(policy)
    let clock = harness.parts(stops: StopRequests()).clock
    // The window closes a moment after the first operation, while the run waits 10 minutes.
    harness.hook.set { count, _ in
      if count == 1 {
        Thread.detachNewThread {
          Thread.sleep(forTimeInterval: 0.1)
          clock.set(X.start + 35 * 60)
        }
      }
    }
    let began = Date()
    let end = try harness.execute(plan, policy)
    harness.hook.set(nil)
    #expect(Date().timeIntervalSince(began) < 10)
    let summary = end
    guard summary.ending == .paused(.windowClosed) else {
      Issue.record("expected a pause for the window, got \(end)")
      return
    }
    #expect(summary.relocated == 1)
  }

  @Test("max-runtime reached mid-run pauses the run for max-runtime")
  func maxRuntime() throws {
    let policy = X.policy(limits: Limits(maxRuntime: .seconds(3600)))
    let (harness, plan, end) = try runStopping(policy) { parts in
      parts.clock.advance(by: 3600)
    }
    guard end.ending == .paused(.maxRuntime) else {
      Issue.record("expected a pause for max-runtime, got \(end)")
      return
    }
    try expectStoppedAfterThird(harness, plan, end)
    #expect(try harness.lastRun().outcome == .paused(.maxRuntime))
  }

  @Test("going on battery mid-run pauses a run whose policy requires AC power")
  func onBattery() throws {
    let policy = X.policy(conditions: Conditions(requiresACPower: true))
    let (harness, plan, end) = try runStopping(policy) { parts in parts.onMains.set(false) }
    guard end.ending == .paused(.onBattery) else {
      Issue.record("expected a pause for battery, got \(end)")
      return
    }
    try expectStoppedAfterThird(harness, plan, end)
    #expect(try harness.lastRun().outcome == .paused(.onBattery))
  }

  @Test("going on battery does not stop a run whose policy does not require AC power")
  func batteryIgnored() throws {
    let (_, plan, end) = try runStopping { parts in parts.onMains.set(false) }
    #expect(end.ending == .completed)
    #expect(end.relocated == plan.operations.count)
  }

  @Test("a pause during pause-between wakes the run at once")
  func pauseDuringPauseBetween() throws {
    let harness = try ExecutorHarness()
    let policy = X.policy(limits: Limits(pauseBetween: .seconds(30)))
    let plan = try X.plan(policy)
    let stops = StopRequests()
    let executor = Executor(
      target: harness.filesystem, policy: policy, journal: harness.journal, stops: stops,
      now: { X.start }, isOnMains: { true }, pollInterval: 0.01,
      observe: { event in
        if case .operationFinished(let operation, _, _) = event, operation.index == 1 {
          Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 0.05)
            stops.request(.pause(.external))
          }
        }
      })
    let began = Date()
    let end = try executor.execute(plan, policyPath: nil, continuing: nil)
    #expect(Date().timeIntervalSince(began) < 5)
    let summary = end
    guard summary.ending == .paused(.external) else {
      Issue.record("expected a pause from outside, got \(end)")
      return
    }
    #expect(summary.relocated == 1)
    #expect(try harness.startsAndFinishes().started.keys.sorted() == [1])
  }
}

@Suite("Stop requests")
struct ExecutorStopRequestsTests {
  @Test("the first pause stays; a cancel replaces it; nothing replaces a cancel")
  func ranking() {
    let stops = StopRequests()
    #expect(stops.current == nil)
    stops.request(.pause(.signal))
    stops.request(.pause(.windowClosed))
    #expect(stops.current == .pause(.signal))
    stops.request(.cancel(.external))
    #expect(stops.current == .cancel(.external))
    stops.request(.pause(.maxRuntime))
    stops.request(.cancel(.signal))
    #expect(stops.current == .cancel(.external))
  }

  @Test("the cancel action runs once, on the first cancel, not on pauses")
  func cancelAction() {
    let stops = StopRequests()
    let calls = Shared(0)
    stops.whenCancelled { calls.update { $0 += 1 } }
    stops.request(.pause(.signal))
    #expect(calls.current == 0)
    stops.request(.cancel(.signal))
    stops.request(.cancel(.external))
    #expect(calls.current == 1)
  }

  @Test("waiting returns at once when asked to stop, and wakes when a request arrives")
  func waiting() {
    let stops = StopRequests()
    let began = Date()
    #expect(stops.wait(seconds: 0.01) == nil)
    Thread.detachNewThread {
      Thread.sleep(forTimeInterval: 0.05)
      stops.request(.pause(.signal))
    }
    #expect(stops.wait(seconds: 10) == .pause(.signal))
    #expect(stops.wait(seconds: 10) == .pause(.signal))
    #expect(Date().timeIntervalSince(began) < 5)
  }

  @Test("a wait turns what its check sees into a request and returns with it")
  func waitingChecks() {
    let stops = StopRequests()
    let checks = Shared(0)
    let request = stops.wait(seconds: 60, checkingEvery: 0.001) {
      checks.update { $0 += 1 }
      if checks.current == 3 { stops.request(.pause(.windowClosed)) }
    }
    #expect(request == .pause(.windowClosed))
    #expect(checks.current == 3)
  }
}
