import ArgumentParser
import Btrfs
import Foundation
import Steward

struct StatusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract:
      "Show the kernel's balance and scrub, btrfs-steward's current or last run and scrub per device, device error counters, the last trim, and the kernel's reclaim settings.",
    discussion: """
      Exit status: 0 when idle, \(ExitStatus.statusRunning.rawValue) while a balance runs, \
      \(ExitStatus.statusPaused.rawValue) while a balance or a run is paused.
      """
  )

  @Argument(
    help: "A mountpoint (or path on it); default: every mounted btrfs filesystem.",
    completion: .btrfsMountpoint)
  var path: String?

  @OptionGroup var state: StateOptions
  @OptionGroup var output: OutputOptions

  /// What `status --json` prints: one object, with PATH or without.
  struct Reports: Encodable {
    var filesystems: [Report]
  }

  /// What `status --json` prints for one filesystem.
  struct Report: Encodable {
    var fsid: String
    var mountpoint: String
    var balance: String
    var kernelBalance: BalanceProgress?
    var kernelBalanceIsOurs: Bool
    var exclusiveOperation: String
    var run: RunReport?
    var reclaim: [ReclaimSettings]
    var unallocatedBytes: UInt64
    var deviceSpace: DeviceSpaceReport
    var profileShares: [ProfileShare]
    var histograms: [UsageHistogram]
    var maintenance: MaintenanceReport
  }

  /// The journal's last run.
  struct RunReport: Encodable {
    var id: String
    var policy: String
    var policyPath: String?
    var startedAt: Date
    var lastRecordAt: Date
    var standing: String
    var reason: String?
    var processAlive: Bool
    var operations: Int
    var relocated: Int
    var skipped: Int
    var failed: Int
    var left: Int
    var relocatedBytes: UInt64
    var unallocatedBefore: UInt64
    var summary: RunSummary?
    /// Since when the running run has been waiting for the machine (pacing), if it is.
    var waitingForMachineSince: Date?
    /// How long it has waited so far.
    var waitingSeconds: Double?
    /// The pressure that made it wait, when readable.
    var waitingPressure: MachinePressure?
    /// The protected workload it waits for, when it waits for one.
    var waitingForWorkload: String?
  }

  func run() throws {
    let paths = path.map { [$0] } ?? MountTable.btrfsMountpoints()
    var reports: [Report] = []
    for path in paths {
      reports.append(try report(path))
    }
    if output.json {
      try printJSON(Reports(filesystems: reports), schema: .status)
    } else {
      print(reports.map(render).joined(separator: "\n\n"))
    }
    if reports.contains(where: { $0.balance == "running" }) {
      throw ExitCode(ExitStatus.statusRunning.rawValue)
    }
    if reports.contains(where: { $0.balance == "paused" }) {
      throw ExitCode(ExitStatus.statusPaused.rawValue)
    }
  }

  private func report(_ path: String) throws -> Report {
    let target = try withExitStatus { () throws(BtrfsError) in try KernelTarget(path: path) }
    let layout = try withExitStatus { () throws(BtrfsError) in try target.layout() }
    let current = try readState(
      RunLifecycle(
        target: target, fsid: layout.fsid, path: path, environment: state.environment()))
    if let warning = current.journalWarning { printError(warning) }
    let balance = current.isRunning ? "running" : current.isPaused ? "paused" : "idle"
    return Report(
      fsid: layout.fsid, mountpoint: path, balance: balance,
      kernelBalance: current.kernelBalance, kernelBalanceIsOurs: current.kernelBalanceIsOurs,
      exclusiveOperation: current.exclusiveOperation.description,
      run: current.lastRun.map {
        runReport($0, alive: current.runProcessAlive, unallocatedNow: layout.unallocatedBytes)
      },
      reclaim: target.sysfs.reclaimSettings(),
      unallocatedBytes: layout.unallocatedBytes,
      deviceSpace: DeviceSpaceReport(layout),
      profileShares: ProfileShare.of(layout.blockGroups),
      histograms: UsageReport(layout).histograms,
      maintenance: try maintenanceReport(target.fileSystem, fsid: layout.fsid))
  }

  private func runReport(_ run: RunHistory, alive: Bool, unallocatedNow: UInt64) -> RunReport {
    var standing: String
    var reason: String?
    var summary: RunSummary?
    switch run.outcome {
    case nil: standing = alive ? "running" : "interrupted"
    case .paused(let why)?:
      standing = "paused"
      reason = why.description
    case .cancelled(let why)?:
      standing = "cancelled"
      reason = why.description
    case let finished?:
      standing = "finished"
      reason = finished.label
      summary = run.summary
    }
    let soFar = summary ?? run.summarySoFar(.completed, unallocatedNow: unallocatedNow)
    let waitingSince = standing == "running" ? run.waitingForMachineSince : nil
    return RunReport(
      id: run.id, policy: run.plan.policyName, policyPath: run.policyPath,
      startedAt: run.startedAt, lastRecordAt: run.lastRecordAt, standing: standing, reason: reason,
      processAlive: alive, operations: run.plan.operations.count, relocated: soFar.relocated,
      skipped: soFar.skipped, failed: soFar.failed, left: soFar.left,
      relocatedBytes: soFar.relocatedBytes, unallocatedBefore: soFar.unallocatedBefore,
      summary: summary, waitingForMachineSince: waitingSince,
      waitingSeconds: waitingSince.map { Date().timeIntervalSince($0) },
      waitingPressure: waitingSince == nil ? nil : run.waitingPressure,
      waitingForWorkload: waitingSince == nil ? nil : run.waitingForWorkload)
  }

  private func render(_ report: Report) -> String {
    var lines = ["\(report.mountpoint) (\(report.fsid))"]
    if let kernel = report.kernelBalance {
      let owner = report.kernelBalanceIsOurs ? "btrfs-steward's" : "not btrfs-steward's"
      lines.append(
        "  Kernel balance: \(kernel.isRunning ? "running" : "paused") (\(owner)), "
          + "\(kernel.statistics.completed)/\(kernel.statistics.expected) block groups, "
          + "considered \(kernel.statistics.considered)")
    } else {
      lines.append("  Kernel balance: none")
    }
    lines.append("  Exclusive operation: \(report.exclusiveOperation)")
    lines.append(contentsOf: renderMaintenance(report.maintenance))
    if let run = report.run {
      lines.append(
        "  Last run: policy '\(run.policy)', started \(run.startedAt), \(run.standing)"
          + (run.reason.map { " (\($0))" } ?? ""))
      lines.append(
        "    \(run.operations) operations: \(run.relocated) relocated, \(run.skipped) skipped, "
          + "\(run.failed) failed, \(run.left) left; moved \(ByteCount(run.relocatedBytes)); "
          + "unallocated \(ByteCount(run.unallocatedBefore)) → \(ByteCount(report.unallocatedBytes)) now"
      )
      if let since = run.waitingForMachineSince, let waited = run.waitingSeconds {
        lines.append(
          "    Waiting for the machine since \(since) (\(String(format: "%.0f", waited))s so far): "
            + (run.waitingForWorkload.map { "making way for the protected \($0)" }
              ?? run.waitingPressure.map { "\($0) above the policy's bound" }
              ?? "pressure cannot be read"))
      }
    } else {
      lines.append("  Last run: none journaled")
    }
    let active = report.reclaim.filter(\.isActive)
    lines.append(
      "  Kernel reclaim: "
        + (active.isEmpty
          ? "off"
          : active.map {
            "\($0.type.rawValue) threshold \($0.threshold ?? 0)%"
              + ($0.dynamic == true ? ", dynamic" : "") + ($0.periodic == true ? ", periodic" : "")
          }.joined(separator: "; ")))
    lines.append(contentsOf: report.deviceSpace.rendered())
    lines.append(contentsOf: ProfileShare.rendered(report.profileShares))
    for histogram in report.histograms where histogram.type == .data {
      lines.append("  Data block groups by usage (\(histogram.total)):")
      lines.append(contentsOf: histogram.rendered(width: 30).map { "  " + $0 })
    }
    return lines.joined(separator: "\n")
  }
}
