import Btrfs
import Foundation
import Steward
import Testing

/// Pacing's yields in flight against the kernel: `btrfs-steward run` on a loop-mounted filesystem,
/// its pressure injected from a file the test raises while a block group is relocated. Every wait is
/// bounded: a run that hangs is ended and the test fails; the scratch filesystem is always
/// unmounted and detached.
@Suite(
  "Pacing: yields in flight on a real filesystem", .serialized,
  .enabled(if: IntegrationEnvironment.shouldRun))
struct PacingOnKernelTests {
  /// Compacts data block groups; yields (`action`) when pressure stays above 50 % for a quarter of
  /// a second during one. The grace is short so that the yield lands early in the block group in
  /// flight, not in a race with its end: with a 1 s grace, a 2 s block group on a quick machine ran
  /// to its end before the yield.
  static func policy(yield action: YieldAction) -> String {
    """
    version: 1
    name: paced-yield
    rules:
      - name: compact
        select: { type: data, usage-below: 90% }
        order: least-used-first
    pacing:
      max-io-pressure: 10%
      in-flight-io-pressure: 50%
      grace-period: 250ms
      on-pressure-in-flight: \(action.rawValue)

    """
  }

  @Test(
    "a block group cancelled in flight stays in place with no balance left, is journaled as a yield, and is relocated once on retry"
  )
  func cancelInFlightThenRetry() throws {
    try withScratchFilesystem(size: "6G") { scratch in
      try fragmentIntoLargeBlockGroups(scratch, seed: 5)
      let run = try StewardRun(scratch, policy: Self.policy(yield: .cancel))
      let pressure = try InjectedPressure(in: scratch.directory, percent: 0)
      let process = try run.start(environment: pressure.environment)
      defer { endIfRunning(process) }
      let target = try KernelTarget(path: scratch.mountpoint)

      let yielded = try pressure.raiseUntilYield(run, process, timeout: 120)
      // Pressure is still high, so the run waits before the retry: the kernel's state now is what
      // the cancel left.
      #expect(
        try target.blockGroup(at: yielded.vaddr) != nil,
        "the cancelled block group is where it was")
      #expect(try target.balanceProgress() == nil, "the cancel leaves no balance, paused or not")
      let waiting = try poll("the run to wait before the retry", timeout: 30, interval: 0.01) {
        try run.records().last.flatMap { record in
          if case .waitingForMachine(yielded.index, _, _) = record.event { true } else { nil }
        }
      }
      #expect(waiting)
      try pressure.set(0)
      #expect(try waitForExit(process) == 0)

      let records = try run.records()
      let starts = records.filter {
        if case .operationStarted(yielded.index, _, _) = $0.event { true } else { false }
      }
      #expect(starts.count == 2, "the retry is the same operation, started once more")
      let yields = records.filter {
        if case .operationYielded(yielded.index, _) = $0.event { true } else { false }
      }
      #expect(yields.count == 1)
      var finished: [Int: [OperationResult]] = [:]
      for case .operationFinished(let index, let result) in records.map(\.event) {
        finished[index, default: []].append(result)
      }
      #expect(finished.values.allSatisfy { $0.count == 1 }, "every operation finished once")
      guard case .relocated? = finished[yielded.index]?.first else {
        Issue.record("the yielded block group was not relocated: \(finished[yielded.index] ?? [])")
        return
      }
      guard case .runFinished? = records.last?.event else {
        Issue.record("the run did not finish: \(String(describing: records.last?.event))")
        return
      }
      #expect(try target.blockGroup(at: yielded.vaddr) == nil, "the retry relocated it")
      #expect(try target.balanceProgress() == nil)
    }
  }
}
