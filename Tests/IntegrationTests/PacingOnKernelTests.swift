import Btrfs
import Foundation
import Steward
import Synchronization
import Testing

/// A pressure gauge that reads high while armed: the test arms it when the first block group
/// starts and disarms it once the run has yielded.
private final class ArmedGauge: PressureGauge {
  private let armed = Mutex(false)

  func set(armed value: Bool) { armed.withLock { $0 = value } }

  func sample() throws(PressureError) -> MachinePressure {
    MachinePressure(io: armed.withLock { $0 } ? 90 : 0, memory: 0)
  }
}

@Suite(
  "Pacing on a real filesystem", .serialized, .enabled(if: IntegrationEnvironment.shouldRun))
struct PacingOnKernelTests {
  @Test(
    "a block group cancelled in flight for pressure stays where it was and is relocated again, as the same operation"
  )
  func cancelInFlightAndRetry() throws {
    try withScratchFilesystem(size: "2G") { scratch in
      // Many small extents: relocating one block group takes long enough for the cancel to land
      // inside it.
      try fragmentForInterruption(scratch, seed: 5)
      let target = try KernelTarget(path: scratch.mountpoint)
      let policy = Policy(
        name: "paced",
        rules: [Rule(name: "compact", select: Selection(type: .data, usageBelow: 60))],
        pacing: Pacing(
          maxIOPressure: 10, gracePeriod: .milliseconds(20), yield: .cancel))
      let plan = try Planner(policy: policy, policyDigest: PolicyDigest.of(Array("p".utf8)))
        .plan(for: try target.layout(), at: Date())
      let first = try #require(plan.operations.first)
      let journalFile = try JournalFile(
        stateDirectory: scratch.directory.appendingPathComponent("state").path, fsid: plan.fsid)
      let gauge = ArmedGauge()
      let firstStarts = Mutex(0)
      let groupAfterYield = Mutex<Bool?>(nil)
      let executor = Executor(
        target: target, policy: policy,
        journal: Journal(file: journalFile, runID: "paced-1", now: { Date() }),
        stops: StopRequests(), pollInterval: 0.01,
        observe: { event in
          switch event {
          case .operationStarting(let operation, _, _, _) where operation.index == first.index:
            if firstStarts.withLock({ $0 += 1; return $0 }) == 1 { gauge.set(armed: true) }
          case .operationYielded:
            groupAfterYield.withLock {
              $0 = (try? target.blockGroup(at: first.target.vaddr)) != nil
            }
            gauge.set(armed: false)
          default: break
          }
        }, pressure: gauge)
      let end = try executor.execute(plan, policyPath: nil, continuing: nil)
      guard case .finished(let summary) = end else {
        Issue.record("the run did not finish: \(end)")
        return
      }
      #expect(summary.relocated == plan.operations.count)
      let records = try journalFile.read().records
      let yields = records.filter {
        if case .operationYielded(first.index, _) = $0.event { true } else { false }
      }
      #expect(yields.count == 1, "the kernel cancelled the first block group in flight")
      #expect(groupAfterYield.withLock { $0 } == true, "the cancelled block group stayed")
      let starts = records.filter {
        if case .operationStarted(first.index, _, _) = $0.event { true } else { false }
      }
      #expect(starts.count == 2)
      #expect(try target.blockGroup(at: first.target.vaddr) == nil)
      #expect(try target.balanceProgress() == nil)
    }
  }
}
