import ArgumentParser
import Btrfs
import Foundation
import Steward

/// Prepares and executes runs, one filesystem at a time, with one set of stop requests fed by
/// signals: what `run` and `resume` share.
final class RunDriver {
  let reporter: RunReporter
  let state: StateOptions
  let wait: Bool
  let stops = StopRequests()
  private let signals: SignalStops
  /// Where the runs' figures go for Prometheus' textfile collector, if anywhere.
  private let metricsFile: MetricsFile?
  private var snapshots: [MetricsSnapshot] = []

  init(
    json: Bool, state: StateOptions, wait: Bool, metricsFile: String? = nil,
    linesOnStandardOutput: Bool = false
  ) {
    reporter = RunReporter(json: json, linesOnStandardOutput: linesOnStandardOutput)
    self.state = state
    self.wait = wait
    self.metricsFile = metricsFile.map { MetricsFile(path: $0) }
    signals = SignalStops(stops)
  }

  /// Prepares and executes a run of `loaded` on the filesystem at `path`; returns its exit status.
  /// Every attempt that reaches the filesystem leaves its figures in the metrics file, refused or
  /// not.
  func run(_ loaded: LoadedPolicy, path: String) throws -> ExitStatus {
    let target = try withExitStatus { () throws(BtrfsError) in try KernelTarget(path: path) }
    let fsid = target.fsid
    let started = Date()
    reporter.setRun(fsid: fsid, mountpoint: path, policy: loaded.policy.name)
    /// Records the attempt's outcome in the metrics file and returns its exit status.
    func attempt(_ outcome: MetricsSnapshot.Outcome, _ status: ExitStatus, end: RunEnd? = nil)
      -> ExitStatus
    {
      record(
        MetricsSnapshot(
          fsid: fsid, mountpoint: path, policy: loaded.policy.name, outcome: outcome,
          summary: end?.summary, durationSeconds: Date().timeIntervalSince(started),
          finishedAt: Date(),
          exitStatus: status,
          unallocatedByDevice: (try? target.fileSystem.devices()).map(MetricsSnapshot.unallocated)
            ?? [:]))
      return status
    }
    // Before anything is locked or journaled: a paced run on a machine without PSI does nothing.
    var gauge: (any PressureGauge)?
    if loaded.policy.pacing.boundsPressure {
      do {
        gauge = try PressureSource.gauge()
      } catch {
        reporter.error("\(path): the policy bounds pressure, but \(error)")
        return attempt(.error, .pressureUnreadable)
      }
    }
    var preparation = RunPreparation(
      policy: loaded.policy, policyPath: loaded.path, policyDigest: loaded.digest,
      stateDirectory: state.stateDir, runtimeDirectory: state.runtimeDir, wait: wait)
    preparation.stopWaiting = { [stops] in stops.current != nil }
    preparation.onWait = { [reporter] in reporter.note("\(path): \($0)") }
    let prepared: PreparedRun
    do {
      prepared = try preparation.prepare(target: target, fsid: fsid)
    } catch .refused(let refusal) {
      // The policy's own decisions are notices; every other refusal fails the unit: an error.
      if refusal.exitStatus.isScheduledSuccess {
        reporter.note("\(path): \(refusal)")
      } else {
        reporter.error("\(path): \(refusal)")
      }
      return attempt(MetricsSnapshot.Outcome(refusal), refusal.exitStatus)
    } catch {
      reporter.error("\(path): \(error)")
      return attempt(.error, error.exitStatus)
    }
    for note in prepared.notes { reporter.note("\(path): \(note)") }
    if prepared.continuing == nil, prepared.plan.operations.isEmpty {
      reporter.note("\(path): nothing to do")
      return attempt(.nothingToDo, .success)
    }
    let executor = Executor(
      target: target, policy: loaded.policy,
      journal: Journal(file: prepared.journalFile, runID: prepared.runID, now: { Date() }),
      stops: stops, observe: reporter.handle, pressure: gauge,
      predictionCheck: PredictionCheck(
        planner: Planner(policy: loaded.policy, policyDigest: loaded.digest)))
    let end: RunEnd
    do {
      end = try executor.execute(
        prepared.plan, policyPath: loaded.path, continuing: prepared.continuing)
    } catch {
      reporter.error("\(path): \(error)")
      return attempt(.error, error.exitStatus)
    }
    return attempt(MetricsSnapshot.Outcome(end), end.exitStatus, end: end)
  }

  /// Adds an attempt's figures to the metrics file (all filesystems of this invocation), if one is
  /// set. A file that cannot be written is a warning: the run itself went as it went.
  private func record(_ snapshot: MetricsSnapshot) {
    guard let metricsFile else { return }
    snapshots.append(snapshot)
    do {
      try metricsFile.write(snapshots)
    } catch {
      stewardLog.warning(
        "the metrics file was not written (the exit status is unchanged): \(error)",
        metadata: ["fsid": "\(snapshot.fsid)", "mountpoint": "\(snapshot.mountpoint)"])
    }
  }
}

/// Exits with the not-permitted status unless running as root.
func requireRoot() throws {
  guard geteuid() == 0 else {
    printError(RunRefusal.notRoot.description)
    throw ExitCode(RunRefusal.notRoot.exitStatus.rawValue)
  }
}
