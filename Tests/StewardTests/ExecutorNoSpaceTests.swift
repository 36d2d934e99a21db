import Btrfs
import Foundation
import Testing

@testable import Steward

@Suite("Executor: ENOSPC")
struct ExecutorNoSpaceTests {
  typealias X = ExecutorFixtures
  typealias F = SimulationFixtures
  let mib = ExecutorFixtures.mib

  /// The plan is made while the three block groups (2 GiB, 1 GiB, 1 GiB) are nearly empty; by the
  /// time it runs they hold 1500, 900 and 500 MiB and nothing is unallocated. The 2 GiB one no
  /// longer fits anywhere (648 MiB free elsewhere); the first 1 GiB one still does (1072 MiB).
  private func filledUp(onNoSpace: NoSpaceAction) throws -> (ExecutorHarness, Plan, Policy) {
    let rule = Rule(
      name: "compact", select: Selection(type: .data), order: .vaddr, maxBlockGroups: 2,
      onNoSpace: onNoSpace)
    let policy = X.policy(rules: [rule])
    let planned = F.layout([.data(10, of: 2048), .data(10), .data(10)], unallocated: 0)
    let full = F.layout([.data(1500, of: 2048), .data(900), .data(500)], unallocated: 0)
    try #require(planned.blockGroups.map(\.vaddr) == full.blockGroups.map(\.vaddr))
    let plan = try X.plan(policy, for: planned)
    try #require(plan.operations.map(\.target.vaddr) == full.blockGroups.prefix(2).map(\.vaddr))
    return (try ExecutorHarness(layout: full), plan, policy)
  }

  @Test("the simulator itself reports ENOSPC for the 2 GiB block group")
  func simulatorRunsOutOfSpace() throws {
    let (harness, plan, _) = try filledUp(onNoSpace: .stop)
    #expect(throws: BtrfsError.noSpace(path: harness.filesystem.path)) {
      try harness.filesystem.startBalance(plan.operations[0].arguments)
    }
    #expect(harness.exists(plan.operations[0]))
  }

  @Test("with on-enospc stop, ENOSPC ends the run with no-space")
  func stopOnNoSpace() throws {
    let (harness, plan, policy) = try filledUp(onNoSpace: .stop)
    let end = try harness.execute(plan, policy)
    let summary = end
    guard summary.ending.isFinished else {
      Issue.record("expected a finished run, got \(end)")
      return
    }
    #expect(summary.ending == .noSpace)
    #expect(summary.failed == 1)
    #expect(summary.relocated == 0)
    #expect(summary.left == 1)
    #expect(end.ending.exitStatus == .noSpace)
    #expect(
      try harness.records().map(\.event.name) == [
        "runStarted", "operationStarted 1", "operationFinished 1 noSpace", "runFinished no-space",
      ])
    #expect(harness.exists(plan.operations[0]))
    #expect(harness.exists(plan.operations[1]))
    #expect(try harness.filesystem.balanceProgress() == nil)
    #expect(!(try harness.lastRun().isOpen))
  }

  @Test("with on-enospc skip, ENOSPC is journaled and the run goes on")
  func skipOnNoSpace() throws {
    let (harness, plan, policy) = try filledUp(onNoSpace: .skip)
    let end = try harness.execute(plan, policy)
    #expect(end.ending == .completed)
    #expect(end.failed == 1)
    #expect(end.relocated == 1)
    #expect(end.relocatedBytes == 900 * mib)
    #expect(end.left == 0)
    #expect(end.ending.exitStatus == .success)
    #expect(
      try harness.records().map(\.event.name) == [
        "runStarted", "operationStarted 1", "operationFinished 1 noSpace", "operationStarted 2",
        "operationFinished 2 relocated", "runFinished completed",
      ])
    #expect(harness.exists(plan.operations[0]))
    #expect(!harness.exists(plan.operations[1]))
  }
}
