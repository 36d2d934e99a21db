import ArgumentParser
import Btrfs
import Foundation
import Steward

/// Runs each filesystem's ``RunLifecycle``, one filesystem at a time, with one set of stop requests
/// fed by signals, and reports and records what happened: what `run` and `resume` share.
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

  /// Prepares and executes a run of `loaded` on the filesystem at `path` (``RunLifecycle``); returns
  /// its exit status. Every attempt that reaches the filesystem leaves its figures in the metrics
  /// file, refused or not.
  func run(_ loaded: LoadedPolicy, path: String) throws -> ExitStatus {
    let target = try withExitStatus { () throws(BtrfsError) in try KernelTarget(path: path) }
    let fsid = target.fsid
    let started = Date()
    reporter.setRun(fsid: fsid, mountpoint: path, policy: loaded.policy.name)
    var environment = state.environment(wait: wait)
    environment.onWait = { [reporter] in reporter.note("\(path): \($0)") }
    let lifecycle = RunLifecycle(target: target, fsid: fsid, path: path, environment: environment)
    let outcome: MetricsSnapshot.Outcome
    let status: ExitStatus
    do {
      let ran = try lifecycle.run(
        loaded, stops: stops, observe: reporter.handle,
        note: { [reporter] in reporter.note("\(path): \($0)") })
      if case .nothingToDo = ran { reporter.note("\(path): nothing to do") }
      (outcome, status) = (ran.outcome, ran.exitStatus)
    } catch {
      // The policy's own decisions are notices; every other refusal or error fails the unit.
      if let refusal = error.refusal, refusal.exitStatus.isScheduledSuccess {
        reporter.note("\(path): \(error)")
      } else {
        reporter.error("\(path): \(error)")
      }
      (outcome, status) = (error.outcome, error.exitStatus)
    }
    record(
      MetricsSnapshot(
        fsid: fsid, mountpoint: path, policy: loaded.policy.name, outcome: outcome,
        durationSeconds: Date().timeIntervalSince(started), finishedAt: Date(), exitStatus: status,
        unallocatedByDevice: (try? target.fileSystem.devices()).map(MetricsSnapshot.unallocated)
          ?? [:]))
    return status
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
