import Btrfs
import Foundation

/// A device whose error counters rose since they were last read.
public struct DeviceErrorIncrease: Hashable, Sendable {
  /// The device id.
  public var devid: UInt64
  /// The block device's path.
  public var path: String
  /// The counters as last journaled (all zero when never read before).
  public var previous: DeviceStats
  /// The counters now.
  public var current: DeviceStats

  /// Each counter that rose, with its name and by how much.
  public var rises: [(name: String, by: UInt64)] {
    zip(previous.named, current.named).compactMap { before, now in
      now.value > before.value ? (now.name, now.value - before.value) : nil
    }
  }

  /// One line for logs: the device and what rose.
  public var summary: String {
    let rose = rises.map { "\($0.name) +\($0.by)" }.joined(separator: ", ")
    let totals = current.named.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
    return "device \(devid) (\(path)): error counters rose: \(rose) (now \(totals))"
  }
}

/// Reads every device's error counters (GET_DEV_STATS, never reset) and compares them with the
/// values the journal holds from the last reading. Readings that differ are journaled as the new
/// baseline — after the notification command, if any, has run for a rise, so that a crash in
/// between repeats a notification rather than losing it.
public struct DeviceErrorWatch: Sendable {
  public var fileSystem: FileSystem
  public var fsid: String
  public var journalFile: JournalFile
  public var policy: ErrorWatchPolicy
  public var now: @Sendable () -> Date
  /// How long a notification command may run before it is terminated.
  public var notificationTimeout: Double = 60

  public init(
    fileSystem: FileSystem, fsid: String, journalFile: JournalFile, policy: ErrorWatchPolicy,
    now: @escaping @Sendable () -> Date = { Date() }
  ) {
    self.fileSystem = fileSystem
    self.fsid = fsid
    self.journalFile = journalFile
    self.policy = policy
    self.now = now
  }

  /// What one check found.
  public struct Outcome: Sendable {
    /// The devices whose counters rose.
    public var increases: [DeviceErrorIncrease]
    /// Every device's counters now.
    public var readings: [UInt64: DeviceStats]
    /// Every device's path.
    public var paths: [UInt64: String]
    /// How many readings of each device, this one included, were a rise (from the journal).
    public var rises: [UInt64: Int]
    /// Notification commands that failed, with why.
    public var failedNotifications: [String]
  }

  /// Reads, compares, notifies and journals.
  public func check() throws(MaintenanceFailure) -> Outcome {
    let state = MaintenanceReplay.state(
      try journal { () throws(JournalError) in try journalFile.read() }.records)
    let devices = try kernel { () throws(BtrfsError) in try fileSystem.devices() }
    let record = Journal(file: journalFile, runID: UUID().uuidString.lowercased(), now: now)
    var outcome = Outcome(
      increases: [], readings: [:], paths: [:], rises: state.deviceErrorRises,
      failedNotifications: [])
    for device in devices {
      let current = try kernel { () throws(BtrfsError) in
        try fileSystem.deviceStats(devid: device.devid)
      }
      outcome.readings[device.devid] = current
      outcome.paths[device.devid] = device.path
      let previous = state.deviceStats[device.devid]?.stats
      let increase = DeviceErrorIncrease(
        devid: device.devid, path: device.path, previous: previous ?? DeviceStats(),
        current: current)
      if !increase.rises.isEmpty {
        outcome.increases.append(increase)
        outcome.rises[device.devid, default: 0] += 1
        if let failure = notify(increase) { outcome.failedNotifications.append(failure) }
      }
      if previous != current {
        try journal { () throws(JournalError) in
          try record.record(.deviceStatsRead(devid: device.devid, stats: current))
        }
      }
    }
    return outcome
  }

  /// Runs the policy's notification command for `increase`; why it failed, or `nil`.
  private func notify(_ increase: DeviceErrorIncrease) -> String? {
    guard let command = policy.notify else { return nil }
    var environment = [
      "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      "BTRFS_STEWARD_FSID": fsid,
      "BTRFS_STEWARD_MOUNTPOINT": fileSystem.path,
      "BTRFS_STEWARD_DEVID": "\(increase.devid)",
      "BTRFS_STEWARD_DEVICE": increase.path,
      "BTRFS_STEWARD_SUMMARY": increase.summary,
    ]
    for ((name, value), (_, before)) in zip(increase.current.named, increase.previous.named) {
      environment["BTRFS_STEWARD_" + name.uppercased()] = "\(value)"
      environment["BTRFS_STEWARD_" + name.uppercased() + "_INCREASE"] =
        "\(value - min(before, value))"
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    process.environment = environment
    process.standardInput = FileHandle.nullDevice
    do {
      try process.run()
    } catch {
      return "the notification command could not be started: \(error)"
    }
    let deadline = Date().addingTimeInterval(notificationTimeout)
    while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
    if process.isRunning {
      process.terminate()
      process.waitUntilExit()
      return "the notification command ran longer than \(Int(notificationTimeout))s and was stopped"
    }
    guard process.terminationStatus == 0 else {
      return "the notification command exited with status \(process.terminationStatus)"
    }
    return nil
  }
}
