import Btrfs
import Foundation
import Testing

@testable import Steward

@Suite("Executor: checks each result against the prediction")
struct ExecutorPredictionCheckTests {
  typealias X = ExecutorFixtures
  let mib = ExecutorFixtures.mib

  private func check(_ policy: Policy) -> PredictionCheck {
    PredictionCheck(planner: Planner(policy: policy, policyDigest: X.digest))
  }

  @Test("a result as predicted is journaled and the plan runs on unchanged")
  func asPredicted() throws {
    let harness = try ExecutorHarness()
    let policy = X.policy()
    let plan = try X.plan(policy)
    let end = try harness.execute(plan, policy, predictionCheck: check(policy))
    #expect(end.relocated == plan.operations.count)
    let records = try harness.records()
    let checks = records.compactMap { record -> (Int, UInt64, UInt64)? in
      if case .predictionChecked(let index, let predicted, let real) = record.event {
        return (index, predicted, real)
      }
      return nil
    }
    #expect(checks.map(\.0) == plan.operations.map(\.index))
    #expect(checks.allSatisfy { $0.1 == $0.2 })
    #expect(!records.contains { if case .replanned = $0.event { true } else { false } })
  }

  @Test("a result more than a chunk off the prediction: the rest of the run is planned anew")
  func differsByMoreThanAChunk() throws {
    let harness = try ExecutorHarness()
    let policy = X.policy()
    var plan = try X.plan(policy)
    try #require(plan.operations.count >= 3)
    // A prediction that promised far more than the kernel can give, from the first operation on.
    for position in plan.operations.indices {
      plan.operations[position].effect.unallocatedAfter += 10 << 30
    }
    let end = try harness.execute(plan, policy, predictionCheck: check(policy))
    let summary = end
    guard summary.ending.isFinished else {
      Issue.record("expected a finished run, got \(end)")
      return
    }
    let names = try harness.records().map(\.event.name)
    let first = plan.operations[0].index
    let replanned = try #require(names.firstIndex { $0.hasPrefix("replanned") })
    #expect(names[replanned - 1] == "predictionChecked \(first)")
    // The new plan, made on the filesystem after the first operation, holds the rest: the same
    // block groups, numbered after the original plan's operations.
    let history = try #require(JournalReplay.runs(try harness.records()).last)
    let fresh = history.plan.operations.dropFirst()
    #expect(fresh.allSatisfy { $0.index > plan.operations.count })
    #expect(
      Set(fresh.map(\.target.vaddr)) == Set(plan.operations.dropFirst().map(\.target.vaddr)))
    #expect(summary.relocated == plan.operations.count)
    #expect(summary.left == 0)
    #expect(history.plan.notes.contains { $0.contains("planned anew after 1 operations") })
    // The fresh predictions hold: no further new plan.
    #expect(names.filter { $0.hasPrefix("replanned") }.count == 1)
  }
}
