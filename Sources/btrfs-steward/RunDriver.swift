import ArgumentParser
import Btrfs
import Foundation
import Steward

/// Prepares and executes runs, one filesystem at a time, with one set of stop requests fed by
/// signals: what `run` and `resume` share.
struct RunDriver {
  let reporter: RunReporter
  let state: StateOptions
  let wait: Bool
  let stops = StopRequests()
  private let signals: SignalStops

  init(json: Bool, state: StateOptions, wait: Bool) {
    reporter = RunReporter(json: json)
    self.state = state
    self.wait = wait
    signals = SignalStops(stops)
  }

  /// Prepares and executes a run of `loaded` on the filesystem at `path`; returns its exit status.
  func run(_ loaded: LoadedPolicy, path: String) throws -> ExitStatus {
    let target = try withExitStatus { () throws(BtrfsError) in try KernelTarget(path: path) }
    let fsid = try withExitStatus { () throws(BtrfsError) in try target.fileSystem.info().fsid }
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
    let executor = Executor(
      target: target, policy: loaded.policy,
      journal: Journal(file: prepared.journalFile, runID: prepared.runID, now: { Date() }),
      stops: stops, observe: reporter.handle)
    do {
      return try executor.execute(
        prepared.plan, policyPath: loaded.path, continuing: prepared.continuing
      ).exitStatus
    } catch {
      printError("\(path): \(error)")
      return error.exitStatus
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
