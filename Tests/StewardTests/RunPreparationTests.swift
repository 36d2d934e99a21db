import Btrfs
import Foundation
import Testing

@testable import Steward

@Suite("Run preparation")
struct RunPreparationTests {
  typealias X = ExecutorFixtures
  let mib = ExecutorFixtures.mib

  /// A simulated filesystem and the directories a preparation uses, all in one temporary directory.
  final class Setup {
    let harness: ExecutorHarness
    var state: String { harness.directory.sub("state") }
    var runtime: String { harness.directory.sub("run") }
    var maintenance: String { harness.directory.sub("maintenance") }
    var fsid: String { harness.layout.fsid }
    var stewardLock: String {
      FilesystemLock.stewardLockPath(fsid: fsid, runtimeDirectory: runtime)
    }
    var maintenanceLock: String { maintenance + "/btrfs-maintenance-running." + fsid }

    init() throws {
      harness = try ExecutorHarness()
      try FileManager.default.createDirectory(
        atPath: maintenance, withIntermediateDirectories: false)
    }

    func preparation(
      _ policy: Policy = X.policy(), digest: String = X.digest, now: Date = X.start,
      onMains: Bool = true
    ) -> RunPreparation {
      RunPreparation(
        policy: policy, policyDigest: digest,
        environment: JobEnvironment(
          stateDirectory: state, runtimeDirectory: runtime, btrfsMaintenanceDirectory: maintenance,
          now: { now }, isOnMains: { onMains }))
    }

    func prepare(_ preparation: RunPreparation) throws(RunPreparation.Failure) -> PreparedRun {
      try preparation.prepare(target: harness.filesystem, fsid: fsid)
    }

    /// The refusal `preparation` ends with, or `nil` when it does not refuse.
    func refusal(_ preparation: RunPreparation) -> RunRefusal? {
      do {
        _ = try prepare(preparation)
        return nil
      } catch .refused(let refusal) {
        return refusal
      } catch {
        Issue.record("expected a refusal, got \(error)")
        return nil
      }
    }

    /// Journals run `id` of `plan`, started at `plan.plannedFor`, and then `events`.
    func journal(_ id: String, _ plan: Plan, _ events: [JournalEvent]) throws {
      let file = try JournalFile(stateDirectory: state, fsid: fsid)
      let journal = Journal(file: file, runID: id, now: { plan.plannedFor })
      try journal.record(.runStarted(plan: plan, policyPath: "/etc/test.yaml", processID: 1))
      for event in events { try journal.record(event) }
    }

    func runs() throws -> [RunHistory] {
      JournalReplay.runs(try JournalFile(stateDirectory: state, fsid: fsid).read().records)
    }
  }

  @Test("a fresh run gets a new plan of the filesystem as it is, and a new run id")
  func freshRun() throws {
    let setup = try Setup()
    let prepared = try setup.prepare(setup.preparation())
    #expect(prepared.continuing == nil)
    #expect(prepared.plan == (try X.plan()))
    #expect(prepared.plan.policyDigest == X.digest)
    #expect(!prepared.runID.isEmpty)
    #expect(prepared.journalFile.path == setup.state + "/" + setup.fsid + ".journal")
    #expect(prepared.notes.isEmpty)
    #expect(FileManager.default.fileExists(atPath: setup.stewardLock))
    #expect(try setup.runs().isEmpty)
  }

  @Test("an open journaled run with the same policy digest is carried on")
  func carriesOn() throws {
    let setup = try Setup()
    let plan = try X.plan(at: X.start - 3600)
    try setup.journal(
      "old", plan,
      [
        .operationStarted(
          index: 1, vaddr: plan.operations[0].target.vaddr, arguments: plan.operations[0].arguments),
        .operationFinished(index: 1, result: .relocated(relocatedBytes: 1, unallocatedAfter: 1)),
        .paused(reason: .signal, operation: nil),
      ])
    let prepared = try setup.prepare(setup.preparation())
    let continuing = try #require(prepared.continuing)
    #expect(continuing.id == "old")
    #expect(prepared.runID == "old")
    #expect(prepared.plan == plan)
    #expect(continuing.results.keys.sorted() == [1])
    #expect(continuing.outcome == .paused(.signal))
    #expect(prepared.notes.isEmpty)
    #expect(try setup.runs().map(\.outcome) == [.paused(.signal)])
  }

  @Test("a run that crashed (no end record) is carried on too")
  func carriesOnAfterCrash() throws {
    let setup = try Setup()
    let plan = try X.plan()
    try setup.journal("crashed", plan, [])
    let prepared = try setup.prepare(setup.preparation())
    #expect(prepared.continuing?.id == "crashed")
    #expect(prepared.continuing?.outcome == nil)
  }

  @Test("a finished journaled run is not carried on")
  func finishedRunIsNotCarriedOn() throws {
    let setup = try Setup()
    let plan = try X.plan()
    let summary = RunSummary(
      ending: .completed, relocated: 0, skipped: 0, failed: 0, left: 0, relocatedBytes: 0,
      unallocatedBefore: 0, unallocatedAfter: 0)
    try setup.journal("done", plan, [.runFinished(summary: summary)])
    let prepared = try setup.prepare(setup.preparation())
    #expect(prepared.continuing == nil)
    #expect(prepared.runID != "done")
  }

  @Test("an open run planned under another policy is superseded and planned anew")
  func supersededByPolicyChange() throws {
    let setup = try Setup()
    let plan = try X.plan(digest: "sha256:old")
    try setup.journal("old", plan, [.paused(reason: .signal, operation: nil)])
    let prepared = try setup.prepare(setup.preparation())
    #expect(prepared.continuing == nil)
    #expect(prepared.runID != "old")
    #expect(prepared.plan.policyDigest == X.digest)
    #expect(prepared.notes.count == 1)
    #expect(prepared.notes.first?.contains("policy changed") == true)
    let runs = try setup.runs()
    #expect(runs.map(\.id) == ["old"])
    #expect(runs[0].outcome == .cancelled(.superseded))
    #expect(!runs[0].isOpen)
  }

  @Test("an open run planned more than 24 hours ago is superseded; 23 hours is carried on")
  func supersededByAge() throws {
    let setup = try Setup()
    let plan = try X.plan()
    try setup.journal("old", plan, [.paused(reason: .windowClosed, operation: nil)])

    do {
      let recent = try setup.prepare(setup.preparation(now: X.start + 23 * 3600))
      #expect(recent.continuing?.id == "old")
    }

    let prepared = try setup.prepare(setup.preparation(now: X.start + 25 * 3600))
    #expect(prepared.continuing == nil)
    #expect(prepared.plan.plannedFor == X.start + 25 * 3600)
    #expect(prepared.notes.first?.contains("24 hours") == true)
    #expect(try setup.runs().first?.outcome == .cancelled(.superseded))
  }

  @Test("a stale run's paused kernel balance is cancelled when it is superseded")
  func supersedeCancelsPausedBalance() throws {
    let setup = try Setup()
    // Operation 1 is journaled in flight, and its balance is left paused.
    let plan = try X.plan(digest: "sha256:old")
    let arguments = plan.operations[0].arguments
    try setup.journal(
      "old", plan,
      [
        .operationStarted(index: 1, vaddr: plan.operations[0].target.vaddr, arguments: arguments),
        .paused(reason: .signal, operation: 1),
      ])
    try setup.harness.leavePausedBalance(arguments)

    let prepared = try setup.prepare(setup.preparation())

    #expect(prepared.continuing == nil)
    #expect(try setup.harness.filesystem.balanceProgress() == nil)
    let old = try #require(try setup.runs().first)
    #expect(old.outcome == .cancelled(.superseded))
    #expect(old.inFlight == nil)
  }

  @Test("an open run's own paused kernel balance is not foreign: the run is carried on")
  func ownPausedBalance() throws {
    let setup = try Setup()
    let plan = try X.plan()
    let arguments = plan.operations[0].arguments
    try setup.journal(
      "mine", plan,
      [
        .operationStarted(index: 1, vaddr: plan.operations[0].target.vaddr, arguments: arguments),
        .paused(reason: .signal, operation: 1),
      ])
    try setup.harness.leavePausedBalance(arguments)
    let prepared = try setup.prepare(setup.preparation())
    #expect(prepared.continuing?.inFlight == 1)
    #expect(try setup.harness.filesystem.balanceProgress()?.isPaused == true)
  }

  @Test("outside every window: refused")
  func outsideWindow() throws {
    let setup = try Setup()
    let refusal = setup.refusal(setup.preparation(X.policy(windows: [X.dailyWindow(2, 3)])))
    #expect(refusal == .outsideWindow)
    #expect(refusal?.exitStatus == .outsideWindow)
    #expect(setup.refusal(setup.preparation(X.policy(windows: [X.dailyWindow(0, 1)]))) == nil)
  }

  @Test("on battery with a policy that requires AC power: refused")
  func onBattery() throws {
    let setup = try Setup()
    let policy = X.policy(conditions: Conditions(requiresACPower: true))
    #expect(setup.refusal(setup.preparation(policy, onMains: false)) == .onBattery)
    #expect(setup.refusal(setup.preparation(policy, onMains: true)) == nil)
    #expect(setup.refusal(setup.preparation(X.policy(), onMains: false)) == nil)
  }

  @Test("unallocated space below the policy's floor: refused, naming both amounts")
  func belowFloor() throws {
    let setup = try Setup()
    let unallocated = setup.harness.layout.unallocatedBytes
    let policy = X.policy(conditions: Conditions(minUnallocated: .bytes(unallocated + 1)))
    #expect(
      setup.refusal(setup.preparation(policy))
        == .belowUnallocatedFloor(unallocated: unallocated, floor: unallocated + 1))
    let enough = X.policy(conditions: Conditions(minUnallocated: .bytes(unallocated)))
    #expect(setup.refusal(setup.preparation(enough)) == nil)
  }

  @Test(
    "a trigger at or below the floor on this filesystem: refused as the policy's mistake, not as below the floor"
  )
  func contradictionBeforeFloor() throws {
    let setup = try Setup()
    let unallocated = setup.harness.layout.unallocatedBytes
    var rule = X.compactRule()
    rule.when = [.unallocatedBelow(.percent(0.001))]
    let policy = X.policy(
      rules: [rule], conditions: Conditions(minUnallocated: .bytes(unallocated + 1)))
    guard case .policyContradicts(let found) = setup.refusal(setup.preparation(policy)) else {
      Issue.record("not refused as a contradiction")
      return
    }
    #expect(found.map(\.kind) == [.triggerAtOrBelowFloor])
    #expect(RunRefusal.policyContradicts(found).exitStatus == .invalidInput)
  }

  @Test("btrfs-steward's lock held elsewhere: refused as locked by steward until it is released")
  func stewardLock() throws {
    let setup = try Setup()
    withExtendedLifetime(try setup.prepare(setup.preparation())) {
      #expect(setup.refusal(setup.preparation()) == .lockedBySteward(lockFile: setup.stewardLock))
    }
    #expect(setup.refusal(setup.preparation()) == nil)

    withExtendedLifetime(try FilesystemLock(path: setup.stewardLock)) {
      let refusal = setup.refusal(setup.preparation())
      #expect(refusal == .lockedBySteward(lockFile: setup.stewardLock))
      #expect(refusal?.exitStatus == .locked)
    }
    #expect(setup.refusal(setup.preparation()) == nil)
  }

  @Test("with wait, btrfsmaintenance's lock is waited for; a stop request ends the wait")
  func waitsForMaintenanceLock() throws {
    let setup = try Setup()
    var waiting = setup.preparation()
    waiting.environment.wait = true
    // Another thread holds the lock for 0.6 s (the lock goes with the holder's descriptor).
    final class Holder: @unchecked Sendable { var lock: FilesystemLock? }
    let holder = Holder()
    holder.lock = try FilesystemLock(path: setup.maintenanceLock)
    let released = Date().addingTimeInterval(0.6)
    Thread.detachNewThread {
      Thread.sleep(until: released)
      holder.lock = nil
    }
    do {
      let prepared = try setup.prepare(waiting)
      #expect(Date() >= released)
      withExtendedLifetime(prepared) {}
    }

    let held = try FilesystemLock(path: setup.maintenanceLock)
    withExtendedLifetime(held) {
      let stopAt = Date().addingTimeInterval(0.3)
      waiting.environment.stopWaiting = { Date() >= stopAt }
      let refusal = setup.refusal(waiting)
      #expect(
        refusal
          == .stoppedWhileWaiting(
            waitedFor: "btrfsmaintenance, which holds \(setup.maintenanceLock)"))
      #expect(refusal?.exitStatus == .paused)
      #expect(Date() >= stopAt)
    }
  }

  @Test("btrfsmaintenance's lock held: refused as locked by btrfsmaintenance")
  func maintenanceLock() throws {
    let setup = try Setup()
    withExtendedLifetime(try FilesystemLock(path: setup.maintenanceLock)) {
      let refusal = setup.refusal(setup.preparation())
      #expect(refusal == .lockedByBtrfsMaintenance(lockFile: setup.maintenanceLock))
      #expect(refusal?.exitStatus == .locked)
      // The refused preparation let go of btrfs-steward's own lock.
      #expect(throws: Never.self) { _ = try FilesystemLock(path: setup.stewardLock) }
    }
    #expect(setup.refusal(setup.preparation()) == nil)
  }

  @Test("a paused balance that btrfs-steward did not start: refused as foreign")
  func foreignPausedBalance() throws {
    let setup = try Setup()
    try setup.harness.leavePausedBalance(BalanceArguments(data: BalanceFilter(usage: .below(50))))
    let refusal = setup.refusal(setup.preparation())
    guard case .foreignBalance(_, paused: true)? = refusal else {
      Issue.record("expected a paused foreign balance, got \(String(describing: refusal))")
      return
    }
    #expect(refusal?.exitStatus == .foreignBalance)
    #expect(try setup.harness.filesystem.balanceProgress()?.isPaused == true)
  }

  @Test("a paused balance that is not the open run's in-flight operation: refused as foreign")
  func pausedBalanceNotOurs() throws {
    let setup = try Setup()
    let plan = try X.plan()
    let first = plan.operations[0]
    try setup.journal(
      "mine", plan,
      [
        .operationStarted(index: 1, vaddr: first.target.vaddr, arguments: first.arguments),
        .paused(reason: .signal, operation: 1),
      ])
    try setup.harness.leavePausedBalance(BalanceArguments(data: BalanceFilter(usage: .below(50))))
    guard case .foreignBalance(_, paused: true)? = setup.refusal(setup.preparation()) else {
      Issue.record("expected a paused foreign balance")
      return
    }
    #expect(try setup.runs().map(\.outcome) == [.paused(.signal)])
  }

  @Test("a running balance that btrfs-steward did not start: refused as foreign")
  func foreignRunningBalance() throws {
    let setup = try Setup()
    let entered = DispatchSemaphore(value: 0)
    let proceed = DispatchSemaphore(value: 0)
    let ended = DispatchSemaphore(value: 0)
    setup.harness.hook.set { count, _ in
      if count == 1 {
        entered.signal()
        _ = proceed.wait(timeout: .now() + 5)
      }
    }
    let filesystem = setup.harness.filesystem
    Thread.detachNewThread {
      _ = try? filesystem.startBalance(BalanceArguments(data: BalanceFilter(usage: .below(50))))
      ended.signal()
    }
    try #require(entered.wait(timeout: .now() + 5) == .success)
    let refusal = setup.refusal(setup.preparation())
    proceed.signal()
    #expect(ended.wait(timeout: .now() + 5) == .success)
    guard case .foreignBalance(_, paused: false)? = refusal else {
      Issue.record("expected a running foreign balance, got \(String(describing: refusal))")
      return
    }
  }
}
