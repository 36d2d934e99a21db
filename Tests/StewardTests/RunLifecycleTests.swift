import Btrfs
import Foundation
import Testing

@testable import Steward

/// The lifecycle against the simulator: carrying a journaled run on or superseding it, and
/// control from another shell when no process runs the journaled run (its process is gone: the
/// journal names process 1 without a start time, which proves no process to be the run's).
@Suite("Run lifecycle")
struct RunLifecycleTests {
  typealias X = ExecutorFixtures
  typealias Setup = RunPreparationTests.Setup

  func lifecycle(_ setup: Setup, now: Date = X.start) -> RunLifecycle {
    RunLifecycle(
      target: setup.harness.filesystem, fsid: setup.fsid, path: "/simulated",
      environment: JobEnvironment(
        stateDirectory: setup.state, runtimeDirectory: setup.runtime,
        btrfsMaintenanceDirectory: setup.maintenance, now: { now }, isOnMains: { true }))
  }

  func loaded(digest: String = X.digest) -> LoadedPolicy {
    LoadedPolicy(policy: X.policy(), path: "/etc/test.yaml", digest: digest)
  }

  /// Journals a run of the standard plan whose process is gone, with its first operation in
  /// flight (and `then` after that); returns the plan.
  func journalDeadRun(_ setup: Setup, then: [JournalEvent] = []) throws -> Plan {
    let plan = try X.plan(at: X.start - 3600)
    let first = plan.operations[0]
    try setup.journal(
      "dead", plan,
      [.operationStarted(index: first.index, vaddr: first.target.vaddr, arguments: first.arguments)]
        + then)
    return plan
  }

  /// Starts `arguments`' balance on another thread, as a kernel that still runs it after its
  /// process died; the balance holds its block group until a pause or cancel is asked for.
  func startBalanceLeftRunning(_ setup: Setup, _ arguments: BalanceArguments) throws
    -> Shared<BalanceOutcome?>
  {
    let filesystem = setup.harness.filesystem
    setup.harness.hook.set { _, _ in
      let deadline = Date().addingTimeInterval(10)
      while Date() < deadline {
        let progress = try? filesystem.balanceProgress()
        if progress?.isPauseRequested == true || progress?.isCancelRequested == true { return }
        Thread.sleep(forTimeInterval: 0.001)
      }
    }
    let outcome = Shared<BalanceOutcome?>(nil)
    Thread.detachNewThread { outcome.set(try? filesystem.startBalance(arguments)) }
    let deadline = Date().addingTimeInterval(10)
    while try filesystem.balanceProgress()?.isRunning != true {
      try #require(Date() < deadline, "the balance did not start")
      Thread.sleep(forTimeInterval: 0.001)
    }
    return outcome
  }

  func waitFor(_ outcome: Shared<BalanceOutcome?>) throws -> BalanceOutcome {
    let deadline = Date().addingTimeInterval(10)
    while outcome.current == nil {
      try #require(Date() < deadline, "the balance did not end")
      Thread.sleep(forTimeInterval: 0.001)
    }
    return outcome.current!
  }

  @Test(
    "pause of a dead run whose balance still runs: paused, the paused balance cancelled, journaled")
  func pausesADeadRunsBalance() throws {
    let setup = try Setup()
    let plan = try journalDeadRun(setup)
    let balance = try startBalanceLeftRunning(setup, plan.operations[0].arguments)
    let lifecycle = lifecycle(setup)
    let state = try lifecycle.state()
    #expect(!state.runProcessAlive)
    #expect(state.kernelBalanceIsOurs)
    let paused = try lifecycle.pause(state, force: false, timeout: 5)
    guard case .journaled(let run) = paused else {
      Issue.record("expected the pause journaled, got \(paused)")
      return
    }
    #expect(run.id == "dead")
    guard case .paused = try waitFor(balance) else {
      Issue.record("the kernel's balance was not paused: \(balance.current!)")
      return
    }
    #expect(try setup.harness.filesystem.balanceProgress() == nil, "a paused balance was left")
    let runs = try setup.runs()
    #expect(runs.map(\.outcome) == [.paused(.external)])
    #expect(runs.last?.inFlight == plan.operations[0].index)
    #expect(
      try setup.harness.records().last?.event.name
        == "paused external \(plan.operations[0].index)")

    // The next run carries the paused run on; the block group that moved counts as relocated.
    setup.harness.hook.set(nil)
    let ran = try lifecycle.run(loaded(), stops: StopRequests())
    guard case .ran(let summary) = ran else {
      Issue.record("expected a run, got \(ran)")
      return
    }
    #expect(summary.ending == .completed)
    #expect(summary.relocated == plan.operations.count)
    #expect(try setup.runs().map(\.id) == ["dead"])
  }

  @Test("pause refuses a balance that is not the run's without --force, and pauses it with")
  func pauseOfAForeignBalance() throws {
    let setup = try Setup()
    let plan = try journalDeadRun(setup)
    let other = try #require(plan.operations.last)
    let balance = try startBalanceLeftRunning(setup, other.arguments)
    let lifecycle = lifecycle(setup)
    let state = try lifecycle.state()
    #expect(!state.kernelBalanceIsOurs)
    #expect(throws: RunLifecycle.ControlError.self) {
      try lifecycle.pause(state, force: false, timeout: 5)
    }
    #expect(try setup.harness.filesystem.balanceProgress()?.isRunning == true)
    guard case .kernelBalance = try lifecycle.pause(state, force: true, timeout: 5) else {
      Issue.record("expected the kernel's balance paused")
      return
    }
    guard case .paused = try waitFor(balance) else {
      Issue.record("the kernel's balance was not paused")
      return
    }
    #expect(try setup.harness.filesystem.balanceProgress()?.isPaused == true)
    #expect(try setup.runs().map(\.outcome) == [nil], "the run's journal is untouched")
    try setup.harness.filesystem.cancelBalance()
  }

  @Test("cancel of a run with no live process journals the cancel; the next run plans anew")
  func cancelsADeadRun() throws {
    let setup = try Setup()
    _ = try journalDeadRun(setup, then: [.paused(reason: .signal, operation: nil)])
    let lifecycle = lifecycle(setup)
    let cancelled = try lifecycle.cancel(try lifecycle.state(), force: false, timeout: 5)
    guard case .journaled(let run?) = cancelled else {
      Issue.record("expected the cancel journaled, got \(cancelled)")
      return
    }
    #expect(run.id == "dead")
    #expect(try setup.runs().map(\.outcome) == [.cancelled(.external)])
    guard case .ran(let summary) = try lifecycle.run(loaded(), stops: StopRequests()) else {
      Issue.record("expected a run")
      return
    }
    #expect(summary.ending == .completed)
    let runs = try setup.runs()
    #expect(runs.count == 2)
    #expect(runs.last?.summary == summary)
  }

  @Test("resume of a run with no live process carries it on with its journaled policy file")
  func resumeCarriesOn() throws {
    let setup = try Setup()
    _ = try journalDeadRun(setup, then: [.paused(reason: .windowClosed, operation: nil)])
    let lifecycle = lifecycle(setup)
    guard
      case .carryOn(let run, let policyPath) = try lifecycle.resume(
        try lifecycle.state(), force: false)
    else {
      Issue.record("expected to carry the run on")
      return
    }
    #expect(run.id == "dead")
    #expect(policyPath == "/etc/test.yaml")
  }

  @Test("with nothing journaled and no balance, pause, resume and cancel say there is nothing")
  func nothingToControl() throws {
    let setup = try Setup()
    let lifecycle = lifecycle(setup)
    let state = try lifecycle.state()
    for (attempt, status) in [
      (
        { () throws(RunLifecycle.ControlError) in
          _ = try lifecycle.pause(state, force: false, timeout: 1)
        }, "no balance is running on /simulated"
      ),
      (
        { () throws(RunLifecycle.ControlError) in _ = try lifecycle.resume(state, force: false) },
        "nothing is paused on /simulated"
      ),
      (
        { () throws(RunLifecycle.ControlError) in
          _ = try lifecycle.cancel(state, force: false, timeout: 1)
        }, "nothing to cancel on /simulated"
      ),
    ] {
      do {
        try attempt()
        Issue.record("expected a refusal: \(status)")
      } catch {
        #expect(error.description == status)
        #expect(error.exitStatus == .failure)
      }
    }
    #expect(try setup.runs().isEmpty)
  }

  @Test("run carries on an open run of the same policy, and supersedes one of another policy")
  func carriesOnOrSupersedes() throws {
    let carried = try Setup()
    let plan = try journalDeadRun(carried)
    let ran = try lifecycle(carried).run(loaded(), stops: StopRequests())
    guard case .ran(let summary) = ran else {
      Issue.record("expected a run, got \(ran)")
      return
    }
    #expect(summary.ending == .completed)
    #expect(summary.relocated == plan.operations.count)
    #expect(try carried.runs().map(\.id) == ["dead"])

    let superseded = try Setup()
    _ = try journalDeadRun(superseded)
    var notes: [String] = []
    let replanned = try lifecycle(superseded).run(
      loaded(digest: PolicyDigest.of(Array("another policy".utf8))), stops: StopRequests(),
      note: { notes.append($0) })
    guard case .ran(let fresh) = replanned else {
      Issue.record("expected a run, got \(replanned)")
      return
    }
    #expect(fresh.ending == .completed)
    let runs = try superseded.runs()
    #expect(runs.map(\.outcome) == [.cancelled(.superseded), .completed])
    #expect(notes.contains { $0.contains("the policy changed since it was planned") })
  }

  @Test("a refused run is a failure whose metrics outcome is the refusal")
  func refusalIsAnOutcome() throws {
    let setup = try Setup()
    var lifecycle = lifecycle(setup)
    lifecycle.environment.isOnMains = { false }
    var policy = X.policy()
    policy.conditions.requiresACPower = true
    do {
      _ = try lifecycle.run(
        LoadedPolicy(policy: policy, path: "/etc/test.yaml", digest: X.digest),
        stops: StopRequests())
      Issue.record("expected a refusal")
    } catch {
      #expect(error.refusal == .onBattery)
      #expect(error.exitStatus == .onBattery)
      #expect(error.outcome.label == "refused-on-battery")
    }
    #expect(try setup.runs().isEmpty)
  }
}
