import ArgumentParser
import Btrfs
import Foundation
import Steward

struct ScrubCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "scrub",
    abstract: "Scrub a policy's filesystems when due, resuming an interrupted scrub where it was.",
    discussion: """
      Runs the policy's `scrub` section on each filesystem: when the interval has passed since the \
      last complete scrub (or a scrub is unfinished), inside the scrub's windows, holding the same \
      locks as balance runs. Devices are scrubbed one device extent per scrub ioctl and every \
      finished extent is journaled, so SIGTERM, a closing window or a crash loses at most the \
      extent in flight; the next `scrub` carries on from there. The speed limit is applied to each \
      device for the job and restored afterwards (after a crash, by the next run). The device \
      error watch runs afterwards. Exit status \(ExitStatus.paused.rawValue) when paused, \
      \(ExitStatus.uncorrectableErrors.rawValue) when errors were left uncorrected, \
      \(ExitStatus.deviceErrorsRose.rawValue) when a device's error counters rose.
      """
  )

  @Option(help: "The policy file.")
  var policy: String

  @Argument(help: "Mountpoints (or paths on them); default: the policy's filesystems.")
  var paths: [String] = []

  @Flag(help: "Start a new scrub even when the interval has not passed.")
  var now = false

  @Flag(help: "Wait for locks instead of refusing.")
  var wait = false

  @OptionGroup var state: StateOptions

  func run() throws {
    let loaded = try loadPolicyOrExit(policy)
    guard let scrub = loaded.policy.scrub else {
      printError("the policy \(policy) has no 'scrub' section")
      throw ExitCode(ExitStatus.invalidInput.rawValue)
    }
    try requireRoot()
    let reporter = MaintenanceReporter(correctedPriority: scrub.correctedErrorPriority)
    let pacingSources: PacingSources
    do {
      pacingSources = try PacingSources(for: loaded.policy.pacing)
    } catch {
      printError("the policy paces the scrub, but \(error)")
      throw ExitCode(ExitStatus.pressureUnreadable.rawValue)
    }
    let stops = StopRequests()
    let signals = SignalStops(stops)
    defer { withExtendedLifetime(signals) {} }
    var status = ExitStatus.success
    for path in try filesystems(loaded.policy, paths: paths) {
      let fileSystem = try withExitStatus { () throws(BtrfsError) in try FileSystem(path: path) }
      let fsid = try withExitStatus { () throws(BtrfsError) in try fileSystem.info().fsid }
      let sysfs = SysfsFacts(fsid: fsid)
      var environment = state.environment(wait: wait)
      environment.onWait = { reporter.emit(.notice, "\(path): \($0)") }
      environment.stopWaiting = { [stops] in stops.current != nil }
      let preparation = ScrubPreparation(
        policy: loaded.policy, environment: environment, ignoreInterval: now)
      let job = ScrubJob(
        fileSystem: fileSystem, sysfs: sysfs, policy: loaded.policy, policyPath: loaded.path,
        stops: stops, pacingSources: pacingSources, observe: { reporter.handle($0, path: path) })
      let outcome: ExitStatus
      do {
        let prepared = try preparation.prepare(fileSystem: fileSystem, fsid: fsid, sysfs: sysfs)
        for note in prepared.notes { reporter.emit(.notice, "\(path): \(note)") }
        outcome = try job.run(prepared).exitStatus
      } catch .refused(let refusal)
        where refusal.exitStatus == .success
        || refusal.exitStatus == .outsideWindow
      {
        reporter.emit(.notice, "\(path): \(refusal)")
        outcome = refusal.exitStatus
      } catch {
        printError("\(path): \(error)")
        outcome = error.exitStatus
      }
      let watch = try watchErrors(loaded.policy, fileSystem: fileSystem, fsid: fsid, reporter)
      status = outcome != .success ? outcome : (status != .success ? status : watch)
      if outcome != .success && outcome != .outsideWindow && outcome != .uncorrectableErrors {
        break
      }
    }
    if status != .success { throw ExitCode(status.rawValue) }
  }

  private func watchErrors(
    _ policy: Policy, fileSystem: FileSystem, fsid: String, _ reporter: MaintenanceReporter
  ) throws -> ExitStatus {
    guard let watch = policy.errorWatch else { return .success }
    return try CheckCommand.check(
      fileSystem: fileSystem, fsid: fsid, policy: watch, state: state, reporter: reporter
    ).status
  }
}

/// The filesystems a maintenance command works on: the paths given, else the policy's; each
/// filesystem once.
func filesystems(_ policy: Policy, paths: [String]) throws -> [String] {
  let targets = paths.isEmpty ? policy.mountpoints() : paths
  guard !targets.isEmpty else {
    printError("no mounted btrfs filesystem to work on")
    throw ExitCode(ExitStatus.notBtrfs.rawValue)
  }
  var seen: Set<String> = []
  var unique: [String] = []
  for path in targets {
    let fsid = try withExitStatus { () throws(BtrfsError) in try FileSystem(path: path).info().fsid
    }
    if seen.insert(fsid).inserted { unique.append(path) }
  }
  return unique
}
