import ArgumentParser
import Btrfs
import Foundation
import Steward

struct TrimCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "trim",
    abstract: "Discard a policy's filesystems' free space (FITRIM) when due.",
    discussion: """
      Runs the policy's `trim` section on each filesystem: when its interval has passed since the \
      last trim, inside its windows, holding the same locks as balance and scrub, and never while a \
      balance or a scrub of that filesystem runs (exit status \(ExitStatus.otherJobRunning.rawValue), or \(ExitStatus.foreignScrub.rawValue) for a scrub). It is left \
      alone, saying so, when fstrim.timer is enabled or btrfsmaintenance's trim is configured \
      (exit status \(ExitStatus.trimDeferred.rawValue)).
      """
  )

  @Option(help: "The policy file.")
  var policy: String

  @Argument(help: "Mountpoints (or paths on them); default: the policy's filesystems.")
  var paths: [String] = []

  @Flag(help: "Trim even when the interval has not passed.")
  var now = false

  @Flag(help: "Wait for locks instead of refusing.")
  var wait = false

  @Option(
    help: ArgumentHelp(
      "Read fstrim.timer's and btrfsmaintenance's settings under this directory.",
      valueName: "directory"))
  var systemRoot = "/"

  @OptionGroup var state: StateOptions

  func run() throws {
    let loaded = try loadPolicyOrExit(policy)
    guard loaded.policy.trim != nil else {
      printError("the policy \(policy) has no 'trim' section")
      throw ExitCode(ExitStatus.invalidInput.rawValue)
    }
    try requireRoot()
    let reporter = MaintenanceReporter()
    var status = ExitStatus.success
    for path in try filesystems(loaded.policy, paths: paths) {
      let fileSystem = try withExitStatus { () throws(BtrfsError) in try FileSystem(path: path) }
      let fsid = try withExitStatus { () throws(BtrfsError) in try fileSystem.info().fsid }
      var environment = state.environment(wait: wait)
      environment.onWait = { reporter.emit(.notice, "\(path): \($0)") }
      let job = TrimJob(
        policy: loaded.policy, environment: environment, ignoreInterval: now,
        elsewhere: TrimElsewhere(root: systemRoot))
      do {
        let trimmed = try job.run(fileSystem: fileSystem, fsid: fsid, mountpoint: path)
        reporter.emit(.notice, "\(path): trimmed \(ByteCount(trimmed)) of free space")
      } catch .refused(let refusal) {
        reporter.emit(refusal.exitStatus == .success ? .notice : .warning, "\(path): \(refusal)")
        if status == .success { status = refusal.exitStatus }
      } catch {
        printError("\(path): \(error)")
        if status == .success { status = error.exitStatus }
      }
    }
    if status != .success { throw ExitCode(status.rawValue) }
  }
}
