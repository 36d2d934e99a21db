import ArgumentParser
import Btrfs
import Foundation
import Steward

struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Read every device's error counters and report those that rose since the last read.",
    discussion: """
      Cheap enough for an hourly timer: one GET_DEV_STATS ioctl per device (the counters are never \
      reset). A rise — corrected errors included — is logged at error priority, and the policy's \
      `error-watch: notify:` command runs once for that device with the details in its \
      environment (BTRFS_STEWARD_DEVID, BTRFS_STEWARD_DEVICE, BTRFS_STEWARD_SUMMARY, \
      BTRFS_STEWARD_<COUNTER> and BTRFS_STEWARD_<COUNTER>_INCREASE). The readings are journaled as \
      the next check's baseline. Exit status \(ExitStatus.deviceErrorsRose.rawValue) when a counter rose.
      """
  )

  @Option(help: "The policy file (its `error-watch` section).")
  var policy: String

  @Argument(help: "Mountpoints (or paths on them); default: the policy's filesystems.")
  var paths: [String] = []

  @Option(
    help: ArgumentHelp(
      "Write the devices' error counters to this file for Prometheus' node_exporter textfile"
        + " collector (a file of its own, not the one `run` writes).", valueName: "file"))
  var metricsFile: String?

  @OptionGroup var state: StateOptions

  func run() throws {
    let loaded = try loadPolicyOrExit(policy)
    try requireRoot()
    let reporter = MaintenanceReporter()
    var status = ExitStatus.success
    var metrics: [DeviceErrorMetrics.Filesystem] = []
    for path in try filesystems(loaded.policy, paths: paths) {
      let fileSystem = try withExitStatus { () throws(BtrfsError) in try FileSystem(path: path) }
      let fsid = try withExitStatus { () throws(BtrfsError) in try fileSystem.info().fsid }
      let result = try Self.check(
        fileSystem: fileSystem, fsid: fsid, policy: loaded.policy.errorWatch ?? ErrorWatchPolicy(),
        state: state, reporter: reporter)
      if status == .success { status = result.status }
      if let outcome = result.outcome {
        metrics.append(
          DeviceErrorMetrics.Filesystem(
            fsid: fsid, mountpoint: path,
            devices: outcome.readings.sorted { $0.key < $1.key }.map {
              ($0.key, outcome.paths[$0.key] ?? "", $0.value)
            }, rises: outcome.rises, checkedAt: Date()))
      }
    }
    if let metricsFile {
      do {
        try DeviceErrorMetrics.write(metrics, to: MetricsFile(path: metricsFile))
      } catch {
        printError("cannot write the metrics file: \(error)")
        if status == .success { status = .failure }
      }
    }
    if status != .success { throw ExitCode(status.rawValue) }
  }

  /// Runs the error watch on one filesystem and reports it; the exit status it calls for, and what
  /// it read (`nil` when it failed).
  static func check(
    fileSystem: FileSystem, fsid: String, policy: ErrorWatchPolicy, state: StateOptions,
    reporter: MaintenanceReporter
  ) throws -> (status: ExitStatus, outcome: DeviceErrorWatch.Outcome?) {
    let outcome: DeviceErrorWatch.Outcome
    do {
      let journalFile = try JournalFile(stateDirectory: state.stateDir, fsid: fsid)
      outcome = try DeviceErrorWatch(
        fileSystem: fileSystem, fsid: fsid, journalFile: journalFile, policy: policy
      ).check()
    } catch let error as MaintenanceFailure {
      printError("\(fileSystem.path): \(error)")
      return (error.exitStatus, nil)
    } catch {
      printError("\(fileSystem.path): \(error)")
      return (.failure, nil)
    }
    for increase in outcome.increases {
      reporter.emit(.error, "\(fileSystem.path): \(increase.summary)")
    }
    for failure in outcome.failedNotifications {
      reporter.emit(.error, "\(fileSystem.path): \(failure)")
    }
    if outcome.increases.isEmpty {
      reporter.emit(.info, "\(fileSystem.path): no device error counter rose")
    }
    return (outcome.increases.isEmpty ? .success : .deviceErrorsRose, outcome)
  }
}
