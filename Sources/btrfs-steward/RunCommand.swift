import ArgumentParser
import Btrfs
import Foundation
import Steward

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Plan and run a policy's balance operations, journaling every step.",
    discussion: """
      For each filesystem (the paths given, else the policy's `filesystems`), btrfs-steward takes a \
      fresh snapshot, plans, and relocates one block group per balance ioctl, re-reading each block \
      group first. SIGTERM or SIGINT pauses the kernel's balance after the block group in flight and \
      exits with status 75; a second signal cancels. The next run carries on the journaled plan \
      (resuming the kernel's paused balance) as long as the policy file is unchanged and the plan is \
      less than 24 hours old; otherwise it plans anew.
      """
  )

  @Option(help: "The policy file.", completion: .policyFile)
  var policy: String

  @Argument(
    help: "Mountpoints (or paths on them); default: the policy's filesystems.",
    completion: .btrfsMountpoint)
  var paths: [String] = []

  @Flag(help: "Print the plan without moving anything.")
  var dryRun = false

  @Flag(help: "Wait for locks and other exclusive operations instead of refusing.")
  var wait = false

  @Option(
    help: ArgumentHelp(
      "Write the runs' figures to this file for Prometheus' node_exporter textfile collector.",
      valueName: "file"), completion: .file(extensions: ["prom"]))
  var metricsFile: String?

  @OptionGroup var state: StateOptions
  @OptionGroup var output: OutputOptions

  func run() throws {
    let loaded = try loadPolicyOrExit(policy)
    let targets = paths.isEmpty ? loaded.policy.mountpoints() : paths
    guard !targets.isEmpty else {
      printError("no mounted btrfs filesystem to work on")
      throw ExitCode(ExitStatus.notBtrfs.rawValue)
    }
    if dryRun {
      for (path, _) in try Self.oneEach(targets) { try printPlan(loaded, path: path) }
      return
    }
    try requireRoot()
    let driver = RunDriver(
      json: output.json, state: state, wait: wait, metricsFile: metricsFile)
    var status = ExitStatus.success
    for (path, fsid) in try Self.oneEach(targets) {
      status = try driver.run(loaded, path: path)
      if let watch = loaded.policy.errorWatch {
        // Every run reads the devices' error counters too.
        let watched = try CheckCommand.check(
          fileSystem: try withExitStatus { () throws(BtrfsError) in try FileSystem(path: path) },
          fsid: fsid, policy: watch, state: state, reporter: MaintenanceReporter()
        ).status
        if status == .success { status = watched }
      }
      if status != .success && status != .outsideWindow && status != .deviceErrorsRose { break }
    }
    if status != .success { throw ExitCode(status.rawValue) }
  }

  /// The first of `paths` into each filesystem with its fsid: each filesystem is planned and run
  /// once, however many of its paths were named.
  private static func oneEach(_ paths: [String]) throws -> [(path: String, fsid: String)] {
    var visited: Set<String> = []
    var targets: [(path: String, fsid: String)] = []
    for path in paths {
      let fsid = try withExitStatus { () throws(BtrfsError) in
        try FileSystem(path: path).info().fsid
      }
      if visited.insert(fsid).inserted { targets.append((path, fsid)) }
    }
    return targets
  }

  /// Prints the plan as `plan` does, from the same detailed layout.
  private func printPlan(_ loaded: LoadedPolicy, path: String) throws {
    let layout = try withExitStatus { () throws(BtrfsError) in
      try FileSystem(path: path).detailedLayout()
    }
    try PlanCommand.printPlan(loaded, for: layout, at: Date(), json: output.json)
  }
}

extension Policy {
  /// The mountpoints the policy names, or every mounted btrfs filesystem for `auto`.
  func mountpoints() -> [String] {
    switch filesystems {
    case .auto: MountTable.btrfsMountpoints()
    case .paths(let paths): paths
    }
  }
}
