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

  init(json: Bool, state: StateOptions, wait: Bool, metricsFile: String? = nil) {
    reporter = RunReporter(json: json)
    self.state = state
    self.wait = wait
    self.metricsFile = metricsFile.map { MetricsFile(path: $0) }
    signals = SignalStops(stops)
  }

  /// Prepares and executes a run of `loaded` on the filesystem at `path`; returns its exit status.
  func run(_ loaded: LoadedPolicy, path: String) throws -> ExitStatus {
    let target = try withExitStatus { () throws(BtrfsError) in try KernelTarget(path: path) }
    let fsid = target.fsid
    let preparation = RunPreparation(
      policy: loaded.policy, policyPath: loaded.path, policyDigest: loaded.digest,
      stateDirectory: state.stateDir, runtimeDirectory: state.runtimeDir, wait: wait)
    let prepared: PreparedRun
    do {
      prepared = try preparation.prepare(target: target, fsid: fsid)
    } catch .refused(let refusal) where refusal == .outsideWindow {
      reporter.note("\(path): \(refusal)")
      return refusal.exitStatus
    } catch {
      printError("\(path): \(error)")
      return error.exitStatus
    }
    for note in prepared.notes { reporter.note("\(path): \(note)") }
    if prepared.continuing == nil, prepared.plan.operations.isEmpty {
      reporter.note("\(path): nothing to do")
      return .success
    }
    var gauge: SystemPressureGauge?
    if loaded.policy.pacing.boundsPressure {
      do {
        gauge = try SystemPressureGauge(files: try PressureFiles.ofThisProcess())
      } catch {
        printError("\(path): the policy bounds pressure, but \(error)")
        return .pressureUnreadable
      }
    }
    let executor = Executor(
      target: target, policy: loaded.policy,
      journal: Journal(file: prepared.journalFile, runID: prepared.runID, now: { Date() }),
      stops: stops, observe: reporter.handle, pressure: gauge)
    let started = Date()
    let end: RunEnd
    do {
      end = try executor.execute(
        prepared.plan, policyPath: loaded.path, continuing: prepared.continuing)
    } catch {
      printError("\(path): \(error)")
      return error.exitStatus
    }
    record(
      MetricsSnapshot(
        fsid: fsid, mountpoint: path, policy: loaded.policy.name, end: end,
        durationSeconds: Date().timeIntervalSince(started), finishedAt: Date()))
    return end.exitStatus
  }

  /// Adds a run's figures to the metrics file (all filesystems of this invocation), if one is set.
  private func record(_ snapshot: MetricsSnapshot) {
    guard let metricsFile else { return }
    snapshots.append(snapshot)
    do {
      try metricsFile.write(snapshots)
    } catch {
      printError("cannot write the metrics file: \(error)")
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
