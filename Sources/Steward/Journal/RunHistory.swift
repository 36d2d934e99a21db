import Btrfs
import Foundation

/// One run as the journal tells it: its plan, what became of each operation, and where it stands.
public struct RunHistory: Hashable, Sendable {
  /// The run's id.
  public var id: String
  /// When it started.
  public var startedAt: Date
  /// The plan it runs.
  public var plan: Plan
  /// The policy file the plan was made from.
  public var policyPath: String?
  /// The process that wrote its last start or resume record.
  public var processID: Int32
  /// That process's start time, when the record carries it.
  public var processStart: UInt64?
  /// The result of every finished operation, by operation index.
  public var results: [Int: OperationResult]
  /// The operation whose balance was started or resumed and has no result yet.
  public var inFlight: Int?
  /// How it ended, as its last `paused`, `cancelled` or `runFinished` record says; `nil` while it
  /// was running when its last record was written (either it still runs, or it crashed).
  public var outcome: RunOutcome?
  /// The summary its `runFinished` record journaled, once it finished.
  public var summary: RunSummary?
  /// When its last record was written.
  public var lastRecordAt: Date
  /// Since when it has been waiting for the machine, when its last record says it waits.
  public var waitingForMachineSince: Date?
  /// The pressure that made it wait, when it waits and the pressure could be read.
  public var waitingPressure: MachinePressure?
  /// The protected workload it waits for, when it waits for one (``WorkloadActivity/name``).
  public var waitingForWorkload: String?

  /// Whether it has not ended: the next run should carry it on.
  public var isOpen: Bool { outcome?.isPaused ?? true }

  /// The operation of ``inFlight``, if one is in flight.
  public var inFlightOperation: PlannedOperation? {
    inFlight.flatMap { index in plan.operations.first { $0.index == index } }
  }

  /// Whether the kernel's `balance` is the one this run left in flight: the same block group (by
  /// the operation's one-block-group `vrange`) as its operation in flight, however the kernel changed
  /// the other filters on a resume.
  public func owns(_ balance: BalanceProgress) -> Bool {
    inFlightOperation?.arguments.isSameOperation(as: balance.arguments) ?? false
  }

  /// The process working on the run, when the journal proves which one it is: `nil` for records
  /// without a start time (a process that cannot be told from another with its reused id).
  public var process: ProcessIdentity? {
    processStart.map { ProcessIdentity(processID: processID, startTime: $0) }
  }

  /// The operations with no result yet, in plan order (the one in flight first).
  public var remainingOperations: [PlannedOperation] {
    plan.operations.filter { results[$0.index] == nil }
  }

  /// Used bytes moved by its finished operations.
  public var relocatedBytes: UInt64 { RunTally(results: results).relocatedBytes }
}

/// Replays journal records into run histories.
public enum JournalReplay {
  /// The runs the records tell of, oldest first. Records of an unknown run are ignored.
  public static func runs(_ records: [JournalRecord]) -> [RunHistory] {
    var runs: [RunHistory] = []
    var indexByID: [String: Int] = [:]
    for record in records {
      if case .runStarted(let plan, let policyPath, let processID, let processStart) = record.event
      {
        indexByID[record.run] = runs.count
        runs.append(
          RunHistory(
            id: record.run, startedAt: record.time, plan: plan, policyPath: policyPath,
            processID: processID, processStart: processStart, results: [:], inFlight: nil,
            lastRecordAt: record.time))
        continue
      }
      guard let index = indexByID[record.run] else { continue }
      apply(record, to: &runs[index])
    }
    return runs
  }

  private static func apply(_ record: JournalRecord, to run: inout RunHistory) {
    run.lastRecordAt = record.time
    run.waitingForMachineSince = nil
    run.waitingPressure = nil
    run.waitingForWorkload = nil
    switch record.event {
    case .runStarted:
      break
    case .runResumed(let processID, let processStart):
      run.processID = processID
      run.processStart = processStart
      run.outcome = nil
    case .operationStarted(let index, _, _), .operationResumed(let index):
      run.inFlight = index
      run.outcome = nil
    case .operationFinished(let index, let result):
      run.results[index] = result
      if run.inFlight == index { run.inFlight = nil }
    case .paused(let reason, _):
      run.outcome = .paused(reason)
    case .cancelled(let reason, _):
      run.outcome = .cancelled(reason)
      run.inFlight = nil
    case .runFinished(let summary):
      run.outcome = summary.ending
      run.summary = summary
      run.inFlight = nil
    case .waitingForMachine(_, let pressure, let workload):
      run.waitingForMachineSince = record.time
      run.waitingPressure = pressure
      run.waitingForWorkload = workload
    case .machineCalm:
      break
    case .operationYielded(let index, _):
      if run.inFlight == index { run.inFlight = nil }
    case .predictionChecked:
      break
    case .replanned(let operations):
      run.plan.replaceRemaining(with: operations, done: Set(run.results.keys))
    case .scrubStarted, .scrubResumed, .scrubSpeedLimitSet, .scrubSpeedLimitRestored,
      .scrubExtentFinished, .scrubProgress, .scrubPaused, .scrubCancelled, .scrubFinished,
      .deviceStatsRead, .trimFinished:
      // Maintenance records belong to runs of their own; MaintenanceReplay reads them.
      break
    }
  }
}

extension RunHistory {
  /// What the run has done so far, as a summary with `ending`, unallocated space being
  /// `unallocatedNow`.
  public func summarySoFar(_ ending: RunOutcome, unallocatedNow: UInt64) -> RunSummary {
    RunTally(results: results).summary(ending, plan: plan, unallocatedAfter: unallocatedNow)
  }
}
