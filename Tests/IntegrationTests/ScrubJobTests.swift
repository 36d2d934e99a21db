import Btrfs
import Foundation
import Steward
import Testing

/// Paths of one maintenance command's state next to a scratch filesystem.
struct MaintenanceRun {
  let mountpoint: String
  let policyPath: String
  let stateDirectory: String
  let runtimeDirectory: String

  init(directory: URL, mountpoint: String, policy: String) throws {
    self.mountpoint = mountpoint
    policyPath = directory.appendingPathComponent("policy.yaml").path
    stateDirectory = directory.appendingPathComponent("state").path
    runtimeDirectory = directory.appendingPathComponent("run").path
    try policy.write(toFile: policyPath, atomically: true, encoding: .utf8)
  }

  /// The arguments of `command` for this filesystem.
  func arguments(_ command: String, _ extra: [String] = []) -> [String] {
    [
      command, "--policy", policyPath, "--state-dir", stateDirectory, "--runtime-dir",
      runtimeDirectory,
    ] + extra + [mountpoint]
  }

  /// Starts `command` in the background, with `environment` added to this process's, its
  /// standard output and error into a new file at `log` (or discarded).
  func start(
    _ command: String, _ extra: [String] = [], environment: [String: String] = [:],
    log: URL? = nil
  ) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: stewardExecutable())
    process.arguments = arguments(command, extra)
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    if let log {
      _ = FileManager.default.createFile(atPath: log.path, contents: nil)
      process.standardOutput = try FileHandle(forWritingTo: log)
    } else {
      process.standardOutput = FileHandle.nullDevice
    }
    process.standardError = process.standardOutput
    try process.run()
    return process
  }

  /// The journal's records.
  func records() throws -> [JournalRecord] {
    let fsid = try FileSystem(path: mountpoint).info().fsid
    return try JournalFile(stateDirectory: stateDirectory, fsid: fsid).read().records
  }

  /// The device extents the journal says were finished, in order, with their run.
  func finishedExtents() throws -> [(run: String, devid: UInt64, physical: UInt64)] {
    try records().compactMap { record in
      guard case .scrubExtentFinished(let devid, let physical, _, _) = record.event else {
        return nil
      }
      return (record.run, devid, physical)
    }
  }
}

/// A scrub policy whose speed limit makes a 3 GiB scratch filesystem's scrub last seconds.
let throttledScrubPolicy = """
  version: 1
  name: integration-scrub
  scrub:
    interval: monthly
    speed-limit: 48MiB
    progress-interval: 1s
  """

@Suite(
  "Scrub jobs on a real btrfs filesystem", .serialized,
  .enabled(if: IntegrationEnvironment.shouldRun))
struct ScrubJobTests {
  @Test(
    "a scrub stopped by SIGTERM resumes at its position and ends with an uninterrupted scrub's totals"
  )
  func resumesAfterSignal() throws {
    try interruptAndResume(signal: SIGTERM)
  }

  @Test(
    "a scrub killed with SIGKILL resumes at its position; the next run restores the speed limit")
  func resumesAfterKill() throws {
    try interruptAndResume(signal: SIGKILL)
  }

  private func interruptAndResume(signal: Int32) throws {
    try withScratchFilesystem(size: "3G") { scratch in
      try scratch.fragment(fileCount: 40, fileSize: 16 << 20, seed: 8)
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      let sysfs = try fileSystem.sysfs()
      let original = try #require(sysfs.scrubSpeedLimit(devid: 1))
      // The uninterrupted scrub to compare with, verify-only so it changes nothing. (A scrub
      // may allocate a chunk while it marks block groups read-only: the extents are read after.)
      let uninterrupted = try fileSystem.scrub(
        devid: 1, physicalRange: 0..<UInt64.max, readOnly: true
      ).counters
      let extents = try fileSystem.deviceExtents(devid: 1)
      try #require(extents.count >= 4)

      let run = try MaintenanceRun(
        directory: scratch.directory, mountpoint: scratch.mountpoint, policy: throttledScrubPolicy)
      let process = try run.start("scrub")
      _ = try poll("a finished device extent", timeout: 60, interval: 0.01) {
        try run.finishedExtents().count >= 2 ? true : nil
      }
      #expect(sysfs.scrubSpeedLimit(devid: 1) == 48 << 20)
      kill(process.processIdentifier, signal)
      let status = try waitForExit(process)
      let before = try run.finishedExtents()
      try #require(before.count < extents.count, "the scrub ended before it could be interrupted")
      if signal == SIGTERM {
        #expect(status == ExitStatus.paused.rawValue)
        #expect(sysfs.scrubSpeedLimit(devid: 1) == original)
        #expect(
          try run.records().contains {
            if case .scrubPaused(.signal) = $0.event { return true }
            return false
          })
        // `status` shows the paused job and how far each device got.
        let status = try steward([
          "status", "--json", "--state-dir", run.stateDirectory, scratch.mountpoint,
        ])
        let json = try #require(
          JSONSerialization.jsonObject(with: Data(status.standardOutput.utf8)) as? [String: Any])
        let filesystem = try #require((json["filesystems"] as? [[String: Any]])?.first)
        let maintenance = try #require(filesystem["maintenance"] as? [String: Any])
        let job = try #require(maintenance["scrubJob"] as? [String: Any])
        #expect((job["standing"] as? String)?.hasPrefix("paused") == true)
        let device = try #require((maintenance["devices"] as? [[String: Any]])?.first)
        #expect(device["scrubbedExtents"] as? Int == before.count)
        let text = try steward(["status", "--state-dir", run.stateDirectory, scratch.mountpoint])
        #expect(
          text.standardOutput.contains(
            "\(before.count)/\(try fileSystem.deviceExtents(devid: 1).count) device extents scrubbed"
          ))
      } else {
        #expect(process.terminationReason == .uncaughtSignal)
        // Killed: nothing restored the limit yet; the next run does, first.
        #expect(sysfs.scrubSpeedLimit(devid: 1) == 48 << 20)
      }

      let resumed = try steward(run.arguments("scrub"))
      #expect(resumed.status == 0, "\(resumed.standardError)")
      #expect(sysfs.scrubSpeedLimit(devid: 1) == original)
      let all = try run.finishedExtents()
      let after = all.dropFirst(before.count)
      // Resumed at its position: nothing finished before the stop was scrubbed again, and every
      // device extent was scrubbed exactly once.
      #expect(Set(after.map(\.physical)).isDisjoint(with: before.map(\.physical)))
      #expect(Set(all.map(\.physical)).count == all.count)
      #expect(Set(extents.map(\.physical)).isSubset(of: all.map(\.physical)))
      #expect(Set(all.map(\.run)).count == 1)
      let totals = try #require(
        run.records().compactMap { record -> ScrubCounters? in
          if case .scrubFinished(let totals) = record.event { return totals[1] }
          return nil
        }.last)
      #expect(totals.dataBytes == uninterrupted.dataBytes)
      #expect(totals.treeBytes == uninterrupted.treeBytes)
      #expect(totals.dataExtents == uninterrupted.dataExtents)
      #expect(totals.errorsFound == 0)
      // Not due again for a month.
      let again = try steward(run.arguments("scrub"))
      #expect(again.status == 0)
      #expect(again.standardError.contains("not due") || again.standardOutput.contains("not due"))
      #expect(try run.finishedExtents().count == all.count)
    }
  }

  @Test(
    "one job at a time: a scrub is refused beside a balance, and with --wait says what it waits for"
  )
  func oneJobAtATime() throws {
    try withScratchFilesystem(size: "3G") { scratch in
      try scratch.fragment(fileCount: 60, fileSize: 16 << 20, seed: 5, pieceSize: 64 << 10)
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      let run = try MaintenanceRun(
        directory: scratch.directory, mountpoint: scratch.mountpoint, policy: throttledScrubPolicy)
      let balance = runInBackground {
        try fileSystem.startBalance(BalanceArguments(data: BalanceFilter()))
      }
      _ = try waitForProgress(fileSystem) { $0.isRunning }
      let refused = try steward(run.arguments("scrub"))
      try? fileSystem.cancelBalance()
      _ = try? balance.value()
      #expect(refused.status == ExitStatus.otherJobRunning.rawValue, "\(refused.standardError)")
      #expect((refused.standardOutput + refused.standardError).contains("a balance is running"))
      #expect(try run.finishedExtents().isEmpty)

      // Another job holds btrfs-steward's lock of this filesystem: --wait says so and waits.
      try FileManager.default.createDirectory(
        atPath: run.runtimeDirectory, withIntermediateDirectories: true)
      let lockPath = FilesystemLock.stewardLockPath(
        fsid: try fileSystem.info().fsid, runtimeDirectory: run.runtimeDirectory)
      var lock: FilesystemLock? = try FilesystemLock(path: lockPath)
      defer { withExtendedLifetime(lock) {} }
      let locked = try steward(run.arguments("scrub"))
      #expect(locked.status == ExitStatus.locked.rawValue)
      let log = scratch.directory.appendingPathComponent("waiting.log")
      let process = try run.start("scrub", ["--wait"], log: log)
      _ = try poll("the waiting message", timeout: 30, interval: 0.05) {
        try String(contentsOf: log, encoding: .utf8).contains(
          "waiting for another btrfs-steward job, which holds \(lockPath)") ? true : nil
      }
      #expect(process.isRunning)
      #expect(try run.finishedExtents().isEmpty)
      lock = nil
      let status = try waitForExit(process)
      let output = try String(contentsOf: log, encoding: .utf8)
      #expect(status == 0, "\(output)")
      #expect(try !run.finishedExtents().isEmpty)
    }
  }

  @Test(
    "a paced scrub waits before its first device extent while pressure is above the bound, and finishes once it falls"
  )
  func pacedScrubWaitsForTheMachine() throws {
    try withScratchFilesystem(size: "3G") { scratch in
      try scratch.fragment(fileCount: 8, fileSize: 8 << 20, seed: 3)
      let policy = """
        version: 1
        name: integration-paced-scrub
        scrub:
          interval: monthly
        pacing:
          max-io-pressure: 10%
        """
      let run = try MaintenanceRun(
        directory: scratch.directory, mountpoint: scratch.mountpoint, policy: policy)
      let pressure = try InjectedPressure(in: scratch.directory, percent: InjectedPressure.high)
      // What the job finds to scrub (scrubbing may allocate chunks of its own: read beforehand).
      let devices = try FileSystem(path: scratch.mountpoint).deviceExtents(devid: 1)
      let log = scratch.directory.appendingPathComponent("scrub.log")
      let process = try run.start("scrub", environment: pressure.environment, log: log)
      defer { endIfRunning(process) }

      _ = try poll("the scrub to wait for the machine", timeout: 30, interval: 0.05) {
        try String(contentsOf: log, encoding: .utf8).contains(
          "device 1: the scrub waits for the machine: I/O pressure 90.0%") ? true : nil
      }
      #expect(process.isRunning)
      #expect(try run.finishedExtents().isEmpty, "a device extent was scrubbed under pressure")
      try pressure.set(0)
      let status = try waitForExit(process)
      let output = try String(contentsOf: log, encoding: .utf8)
      #expect(status == 0, "\(output)")
      #expect(output.contains("device 1: the machine is calm again after"), "\(output)")
      let finished = try run.finishedExtents().map(\.physical).sorted()
      #expect(
        finished == devices.map(\.physical).sorted(),
        "every device extent was scrubbed once the machine was calm")
    }
  }

  @Test("raid1 corruption: the scrub repairs it and the notification runs once with the counts")
  func corruptionNotifiesOnce() throws {
    try withMirroredScratch { scratch in
      try scratch.writeFile("victim", count: 8 << 20)
      let notified = scratch.directory.appendingPathComponent("notified").path
      let policy = """
        version: 1
        name: integration-watch
        scrub:
          interval: monthly
        error-watch:
          notify: 'echo "$BTRFS_STEWARD_DEVID $BTRFS_STEWARD_CORRUPTION_ERRS $BTRFS_STEWARD_CORRUPTION_ERRS_INCREASE $BTRFS_STEWARD_DEVICE" >> \(notified)'
        """
      let run = try MaintenanceRun(
        directory: scratch.directory, mountpoint: scratch.mountpoint, policy: policy)
      let baseline = try steward(run.arguments("check"))
      #expect(baseline.status == 0, "\(baseline.standardError)")
      #expect(!FileManager.default.fileExists(atPath: notified))

      let physical = try scratch.physicalOffset(ofFile: "victim", devid: 1)
      try scratch.corrupt(devid: 1, physical: physical, count: 64 << 10)
      let scrubbed = try steward(run.arguments("scrub"))
      #expect(scrubbed.status == ExitStatus.deviceErrorsRose.rawValue, "\(scrubbed.standardError)")
      let totals = try #require(
        run.records().compactMap { record -> [UInt64: ScrubCounters]? in
          if case .scrubFinished(let totals) = record.event { return totals }
          return nil
        }.last)
      #expect(totals[1]?.correctedErrors == 16)
      #expect(totals[1]?.uncorrectableErrors == 0)
      #expect(totals[2]?.errorsFound == 0)

      let metrics = scratch.directory.appendingPathComponent("devices.prom").path
      let again = try steward(run.arguments("check", ["--metrics-file", metrics]))
      #expect(again.status == 0, "\(again.standardError)")
      let exposition = try String(contentsOfFile: metrics, encoding: .utf8)
      let device = scratch.loopDevices[0]
      #expect(
        exposition.contains(
          "devid=\"1\",device=\"\(device)\",counter=\"corruption_errs\"} 16\n"))
      #expect(exposition.contains("btrfs_steward_device_error_rises_total{"))
      #expect(exposition.contains("devid=\"1\",device=\"\(device)\"} 1\n"))
      #expect(exposition.contains("devid=\"2\",device=\"\(scratch.loopDevices[1])\"} 0\n"))
      let promtool = try execute(["sh", "-c", "promtool check metrics < \"$0\"", metrics])
      #expect(promtool.status == 0, "\(promtool.standardOutput)\(promtool.standardError)")
      let lines = try String(contentsOfFile: notified, encoding: .utf8)
        .split(separator: "\n")
      #expect(lines == ["1 16 16 \(scratch.loopDevices[0])"])
    }
  }
}
