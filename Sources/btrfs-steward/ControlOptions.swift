import ArgumentParser
import Btrfs
import Foundation
import Steward

/// What `pause`, `resume` and `cancel` share: the filesystem, the state directories, `--force`.
struct ControlOptions: ParsableArguments {
  @Argument(help: "The mountpoint (or a path on it).", completion: .btrfsMountpoint)
  var path: String

  @Flag(help: "Also act on a balance that btrfs-steward did not start.")
  var force = false

  @Option(
    help: "Seconds to wait for the run to stop (the kernel finishes the block group in flight).")
  var timeout: Double = 900

  @OptionGroup var state: StateOptions

  /// The filesystem's lifecycle and where it stands now (a warning about its journal printed).
  func read() throws -> (RunLifecycle, FilesystemState) {
    try requireRoot()
    let target = try withExitStatus { () throws(BtrfsError) in try KernelTarget(path: path) }
    let lifecycle = RunLifecycle(
      target: target, fsid: target.fsid, path: path, environment: state.environment())
    let current = try readState(lifecycle)
    if let warning = current.journalWarning { printError(warning) }
    return (lifecycle, current)
  }

  /// Tells that the run's process is asked to `doing`.
  func asking(_ doing: String) -> (RunHistory) -> Void {
    { run in
      print(
        "Asking the run of policy '\(run.plan.policyName)' (pid \(run.processID)) to \(doing)…")
    }
  }
}

/// Reads where the filesystem of `lifecycle` stands; on failure prints why and exits with its
/// documented status (an untrusted state directory or journal has its own).
func readState(_ lifecycle: RunLifecycle) throws -> FilesystemState {
  do {
    return try lifecycle.state()
  } catch {
    printError(error.description)
    throw ExitCode(error.exitStatus.rawValue)
  }
}

/// Runs a control step; on failure prints why and exits with its documented status.
func controlling<Value>(_ body: () throws(RunLifecycle.ControlError) -> Value) throws -> Value {
  do {
    return try body()
  } catch {
    printError(error.description)
    throw ExitCode(error.exitStatus.rawValue)
  }
}

/// Exits with `status` after printing `message`.
func failure(_ status: ExitStatus, _ message: String) -> ExitCode {
  printError(message)
  return ExitCode(status.rawValue)
}
