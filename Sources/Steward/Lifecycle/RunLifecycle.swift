import Btrfs
import Foundation

/// The one home of a balance run's lifecycle on one filesystem: preparing it (locks, journal
/// replay, carrying the journaled run on or superseding it), running it, and controlling it from
/// another shell (``pause(_:force:timeout:signalling:)``, ``resume(_:force:resuming:)``,
/// ``cancel(_:force:timeout:signalling:)``, with or without a live process). The command line
/// only parses options and prints what these return; docs/lifecycle.md says which record each
/// step writes.
public struct RunLifecycle: Sendable {
  /// The filesystem.
  public var target: any BalanceTarget
  /// Its UUID: the name of its journal and locks.
  public var fsid: String
  /// The path it was named by, for messages.
  public var path: String
  /// The directories, locks, clock and power supply.
  public var environment: JobEnvironment

  public init(target: any BalanceTarget, fsid: String, path: String, environment: JobEnvironment) {
    self.target = target
    self.fsid = fsid
    self.path = path
    self.environment = environment
  }

  /// Why a run did not run, or ended in an error.
  public enum Failure: Error, Sendable, CustomStringConvertible {
    /// The policy bounds the machine's pressure, or protects a cgroup, and it cannot be read;
    /// nothing was touched.
    case pressureUnreadable(PressureError)
    /// Preparing failed or refused; nothing was run.
    case preparing(RunPreparation.Failure)
    /// The run failed while it ran (its journal says how far it got).
    case running(ExecutionError)

    /// The refusal, when the run was refused.
    public var refusal: RunRefusal? {
      if case .preparing(.refused(let refusal)) = self { return refusal }
      return nil
    }

    public var description: String {
      switch self {
      case .pressureUnreadable(let error): "the policy paces the run, but \(error)"
      case .preparing(let failure): failure.description
      case .running(let error): error.description
      }
    }

    /// The documented exit status.
    public var exitStatus: ExitStatus {
      switch self {
      case .pressureUnreadable: .pressureUnreadable
      case .preparing(let failure): failure.exitStatus
      case .running(let error): error.exitStatus
      }
    }

    /// How the metrics file records the attempt: a refusal, or an error.
    public var outcome: MetricsSnapshot.Outcome {
      refusal.map { .refused($0) } ?? .error
    }
  }

  /// How a run went that did not fail.
  public enum Ran: Sendable {
    /// The plan was empty and no journaled run was open: nothing was journaled or run.
    case nothingToDo
    /// The run ran (a new one, or the journaled one carried on) and ended as its summary says.
    case ran(RunSummary)

    /// How the metrics file records the attempt.
    public var outcome: MetricsSnapshot.Outcome {
      switch self {
      case .nothingToDo: .nothingToDo
      case .ran(let summary): .ran(summary)
      }
    }

    /// The documented exit status.
    public var exitStatus: ExitStatus {
      switch self {
      case .nothingToDo: .success
      case .ran(let summary): summary.ending.exitStatus
      }
    }
  }

  /// Prepares and runs `loaded` on the filesystem: guards, locks, the journal replayed, the open
  /// run carried on or superseded (``RunPreparation``), then the plan executed (``Executor``)
  /// until it ends or `stops` stops it.
  ///
  /// - Parameters:
  ///   - stops: stop requests (signals); a wait for a lock or an exclusive operation gives up on
  ///     one too.
  ///   - observe: the run's events.
  ///   - note: what the preparation did that a person should know.
  ///   - pressure: where the machine's pressure is read; `nil` reads this process's cgroup's when
  ///     the policy's pacing bounds it.
  ///   - workload: where the protected workload's activity is read; `nil` reads the policy's
  ///     `protect-cgroup`'s when it names one.
  public func run(
    _ loaded: LoadedPolicy, stops: StopRequests,
    observe: @escaping @Sendable (ExecutionEvent) -> Void = { _ in },
    note: (String) -> Void = { _ in }, pressure: (any PressureGauge)? = nil,
    workload: (any WorkloadActivity)? = nil
  ) throws(Failure) -> Ran {
    // Before anything is locked or journaled: a paced run on a machine without PSI, or whose
    // protected cgroup cannot be read, does nothing.
    let sources: PacingSources
    do {
      sources = try PacingSources(for: loaded.policy.pacing, gauge: pressure, workload: workload)
    } catch {
      throw .pressureUnreadable(error)
    }
    var environment = self.environment
    let waiting = environment.stopWaiting
    environment.stopWaiting = { [stops] in stops.current != nil || waiting() }
    let preparation = RunPreparation(
      policy: loaded.policy, policyDigest: loaded.digest, environment: environment)
    let prepared: PreparedRun
    do {
      prepared = try preparation.prepare(target: target, fsid: fsid)
    } catch {
      throw .preparing(error)
    }
    // The locks are held until the run has ended.
    defer { withExtendedLifetime(prepared) {} }
    for line in prepared.notes { note(line) }
    if prepared.continuing == nil, prepared.plan.operations.isEmpty { return .nothingToDo }
    let executor = Executor(
      target: target, policy: loaded.policy,
      journal: Journal(file: prepared.journalFile, runID: prepared.runID, now: environment.now),
      stops: stops, now: environment.now, isOnMains: environment.isOnMains, observe: observe,
      pressure: sources.gauge, workload: sources.workload,
      predictionCheck: PredictionCheck(
        planner: Planner(policy: loaded.policy, policyDigest: loaded.digest)))
    do {
      return .ran(
        try executor.execute(
          prepared.plan, policyPath: loaded.path, continuing: prepared.continuing))
    } catch {
      throw .running(error)
    }
  }

  /// Where the filesystem stands now, told by the kernel and the journal: what `status` prints and
  /// what the control methods act on.
  public func state() throws(ExecutionError) -> FilesystemState {
    try FilesystemState.read(
      target: target, fsid: fsid, stateDirectory: environment.stateDirectory)
  }
}
