import Btrfs
import Foundation
import Testing

@testable import Steward

@Suite("Executor: runs to the end")
struct ExecutorRunTests {
  typealias X = ExecutorFixtures
  typealias F = SimulationFixtures
  let mib = ExecutorFixtures.mib

  @Test("a plain run relocates every planned block group, journaling each step in order")
  func plainRun() throws {
    let harness = try ExecutorHarness()
    let policy = X.policy()
    let plan = try X.plan(policy)
    try #require(plan.operations.map { $0.target.used / mib } == X.standardPlanUsages)

    let processCPUBefore = processCPUSeconds()
    let end = try harness.execute(plan, policy)
    let processCPU = processCPUSeconds() - processCPUBefore

    let summary = end
    guard summary.ending.isFinished else {
      Issue.record("expected a finished run, got \(end)")
      return
    }
    // The executor's own thread: some CPU, and no more than the whole process used meanwhile.
    let executorCPU = try #require(summary.executorCPUSeconds)
    #expect(executorCPU > 0 && executorCPU <= processCPU)
    let count = plan.operations.count
    #expect(summary.ending == .completed)
    #expect(summary.relocated == count)
    #expect(summary.skipped == 0 && summary.failed == 0 && summary.left == 0)
    #expect(summary.relocatedBytes == X.standardPlanUsages.reduce(0, +) * mib)
    #expect(summary.unallocatedBefore == harness.layout.unallocatedBytes)
    #expect(summary.unallocatedAfter == harness.filesystem.currentLayout.unallocatedBytes)
    #expect(
      summary.unallocatedAfter == harness.layout.unallocatedBytes + UInt64(count) * 1024 * mib)
    #expect(end.ending.exitStatus == .success)
    for operation in plan.operations {
      #expect(!harness.exists(operation), "operation \(operation.index) left its block group")
    }
    #expect(
      harness.filesystem.currentLayout.blockGroups.count == harness.layout.blockGroups.count - count
    )
    #expect(try harness.filesystem.balanceProgress() == nil)

    let records = try harness.records()
    var expected = ["runStarted"]
    for index in 1...count {
      expected += ["operationStarted \(index)", "operationFinished \(index) relocated"]
    }
    expected.append("runFinished completed")
    #expect(records.map(\.event.name) == expected)
    #expect(Set(records.map(\.run)) == [harness.runID])
    guard case .runStarted(let journaled, let path, let pid, _) = records.first?.event else {
      Issue.record("the first record is not runStarted")
      return
    }
    #expect(journaled == plan)
    #expect(path == "/etc/test.yaml")
    #expect(pid == getpid())
    for record in records {
      if case .operationStarted(let index, let vaddr, let arguments) = record.event {
        #expect(vaddr == plan.operations[index - 1].target.vaddr)
        #expect(arguments == plan.operations[index - 1].arguments)
      }
    }
    let run = try harness.lastRun()
    #expect(run.summary == summary)
    #expect(!run.isOpen)
    #expect(run.results.count == count)
    #expect(run.results.values.allSatisfy { $0.isRelocated })
  }

  @Test("events arrive in order: run starting, start and finish of each operation, run ended")
  func eventOrder() throws {
    let harness = try ExecutorHarness()
    let policy = X.policy()
    let plan = try X.plan(policy)
    let end = try harness.execute(plan, policy)
    let count = plan.operations.count
    var expected = ["run starting carriedOn=false done=0"]
    for index in 1...count {
      expected += ["start \(index) \(index)/\(count)", "finish \(index) relocated"]
    }
    expected.append("run ended finished completed")
    #expect(harness.events.current.compactMap(\.tag) == expected)
    if case .runEnded(let observed) = harness.events.current.last {
      #expect(observed == end)
    }
  }

  @Test("a block group gone before its operation is skipped as gone, and the run goes on")
  func goneBlockGroup() throws {
    let harness = try ExecutorHarness()
    let policy = X.policy()
    let plan = try X.plan(policy)
    let gone = plan.operations[1]
    _ = try harness.filesystem.startBalance(gone.arguments)
    try #require(!harness.exists(gone))

    let end = try harness.execute(plan, policy)

    #expect(end.ending == .completed)
    #expect(end.skipped == 1)
    #expect(end.relocated == plan.operations.count - 1)
    let results = try harness.results()
    let reason = try #require(results[gone.index]?.skipReason)
    #expect(reason.contains("gone"))
    for operation in plan.operations where operation.index != gone.index {
      #expect(results[operation.index]?.isRelocated == true)
    }
    #expect(try harness.startsAndFinishes().started[gone.index] == nil)
  }

  @Test("a block group that no longer matches its rule is skipped with the rule's name")
  func noLongerMatches() throws {
    // A (400, planned) | sink | B (100, planned) | U (700, not selected). The plan: B, then A.
    // Relocating U first pours 624 MiB into A, the lowest block group with room: A is full.
    let layout = F.layout(
      [.data(400), .data(4200, of: 8192), .data(100), .data(700)], unallocated: 2048)
    let harness = try ExecutorHarness(layout: layout)
    let policy = X.policy()
    let plan = try X.plan(policy, for: layout)
    let a = layout.blockGroups[0]
    try #require(plan.operations.map(\.target.vaddr) == [layout.blockGroups[2].vaddr, a.vaddr])
    _ = try harness.filesystem.startBalance(.relocating(layout.blockGroups[3]))
    try #require(harness.filesystem.currentLayout.blockGroup(at: a.vaddr)?.used == 1024 * mib)

    let end = try harness.execute(plan, policy)

    #expect(end.ending == .completed)
    #expect(end.relocated == 1)
    #expect(end.skipped == 1)
    let results = try harness.results()
    #expect(results[1]?.isRelocated == true)
    let reason = try #require(results[2]?.skipReason)
    #expect(reason.contains("rule 'compact'"))
    #expect(reason.contains("100.0%"))
    #expect(harness.filesystem.currentLayout.blockGroup(at: a.vaddr) != nil)
  }

  @Test("an until goal met on the filesystem before the plan is done skips the rest as goal")
  func goalReachedEarly() throws {
    // sink | E (empty, not selected: usage at least 1 %) | five block groups to compact; nothing
    // unallocated. The goal of 3 GiB unallocated plans three operations; relocating E first
    // frees a gibibyte the plan did not count on.
    let layout = F.layout(
      [
        .data(4200, of: 8192), .data(0), .data(100), .data(200), .data(300), .data(150), .data(250),
      ],
      unallocated: 0)
    let rule = X.compactRule(
      select: Selection(type: .data, usageAtLeast: 1, usageBelow: 50),
      until: [.unallocatedAbove(.bytes(3072 * mib))])
    let policy = X.policy(rules: [rule])
    let harness = try ExecutorHarness(layout: layout)
    let plan = try X.plan(policy, for: layout)
    try #require(plan.operations.count == 3)
    _ = try harness.filesystem.startBalance(.relocating(layout.blockGroups[1]))
    try #require(harness.filesystem.currentLayout.unallocatedBytes == 1024 * mib)

    let end = try harness.execute(plan, policy)

    let summary = end
    guard summary.ending.isFinished else {
      Issue.record("expected a finished run, got \(end)")
      return
    }
    #expect(summary.ending == .goalReached)
    #expect(summary.relocated == 2)
    #expect(summary.skipped == 1)
    #expect(summary.left == 0)
    #expect(end.ending.exitStatus == .success)
    let results = try harness.results()
    let reason = try #require(results[3]?.skipReason)
    #expect(reason.contains("goal"))
    #expect(reason.contains("compact"))
    #expect(harness.exists(plan.operations[2]))
    #expect(try harness.startsAndFinishes().started[3] == nil)
    #expect(try harness.records().last?.event.name == "runFinished goal-reached")
  }

  @Test("max-operations of the executor's policy ends the run with limit-reached")
  func maxOperations() throws {
    let harness = try ExecutorHarness()
    let plan = try X.plan()
    let end = try harness.execute(plan, X.policy(limits: Limits(maxOperations: 3)))
    let summary = end
    guard summary.ending.isFinished else {
      Issue.record("expected a finished run, got \(end)")
      return
    }
    #expect(summary.ending == .limitReached)
    #expect(summary.relocated == 3)
    #expect(summary.left == plan.operations.count - 3)
    #expect(end.ending.exitStatus == .success)
    #expect(try harness.startsAndFinishes().started.keys.sorted() == [1, 2, 3])
    #expect(harness.exists(plan.operations[3]))
    #expect(try harness.lastRun().summary == summary)
  }

  @Test("max-relocated ends the run with limit-reached once that many bytes moved")
  func maxRelocated() throws {
    let harness = try ExecutorHarness()
    let plan = try X.plan()
    // Least used first: 10, 30, 50, 80, … MiB; 100 MiB is reached after the fourth.
    let end = try harness.execute(plan, X.policy(limits: Limits(maxRelocatedBytes: 100 * mib)))
    #expect(end.ending == .limitReached)
    #expect(end.relocated == 4)
    #expect(end.relocatedBytes == 170 * mib)
    #expect(try harness.startsAndFinishes().started.keys.sorted() == [1, 2, 3, 4])
  }

  @Test("an empty plan finishes at once, completed")
  func emptyPlan() throws {
    let harness = try ExecutorHarness()
    let policy = X.policy(rules: [X.compactRule(select: Selection(type: .data, usageBelow: 0.5))])
    let plan = try X.plan(policy)
    try #require(plan.operations.isEmpty)
    let end = try harness.execute(plan, policy)
    #expect(end.ending == .completed)
    #expect(end.relocated == 0)
    #expect(try harness.records().map(\.event.name) == ["runStarted", "runFinished completed"])
    #expect(harness.filesystem.currentLayout.blockGroups == harness.layout.blockGroups)
  }
}

/// CPU seconds the whole test process has used so far.
private func processCPUSeconds() -> Double {
  var time = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
  return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
