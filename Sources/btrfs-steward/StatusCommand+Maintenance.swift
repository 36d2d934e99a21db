import Btrfs
import Foundation
import Steward

extension StatusCommand {
  /// What `status` says about a filesystem's maintenance: per device, the kernel's scrub now, the
  /// journal's current or last scrub job, and the error counters; the last trim.
  struct MaintenanceReport: Encodable {
    var devices: [DeviceReport]
    var scrubJob: ScrubJobReport?
    var lastTrim: Date?
  }

  /// One device.
  struct DeviceReport: Encodable {
    var devid: UInt64
    var path: String
    /// The kernel's scrub of the device, if one runs.
    var kernelScrub: ScrubCounters?
    /// What the journal's current or last scrub job did on the device.
    var scrubbedExtents: Int?
    var extents: Int
    var scrubbed: ScrubCounters?
    var errorCounters: DeviceStats
  }

  /// The journal's current or last scrub job.
  struct ScrubJobReport: Encodable {
    var id: String
    var startedAt: Date
    var lastRecordAt: Date
    var standing: String
  }

  func maintenanceReport(_ fileSystem: FileSystem, fsid: String) throws -> MaintenanceReport {
    let records = try JournalFile(stateDirectory: state.stateDir, fsid: fsid).read().records
    let maintenance = MaintenanceReplay.state(records)
    let job = maintenance.scrubs.last
    var devices: [DeviceReport] = []
    for device in try withExitStatus({ () throws(BtrfsError) in try fileSystem.devices() }) {
      let devid = device.devid
      let (kernelScrub, extents, stats) = try withExitStatus {
        () throws(BtrfsError) -> (ScrubCounters?, [DeviceExtent], DeviceStats) in
        (
          try fileSystem.scrubProgress(devid: devid), try fileSystem.deviceExtents(devid: devid),
          try fileSystem.deviceStats(devid: devid)
        )
      }
      let scrubbing = job.map { $0.devices.contains(devid) } ?? false
      devices.append(
        DeviceReport(
          devid: devid, path: device.path, kernelScrub: kernelScrub,
          scrubbedExtents: scrubbing ? extents.filter { job!.hasFinished($0) }.count : nil,
          extents: extents.count, scrubbed: scrubbing ? job!.totals(devid: devid) : nil,
          errorCounters: stats))
    }
    return MaintenanceReport(
      devices: devices,
      scrubJob: job.map {
        ScrubJobReport(
          id: $0.id, startedAt: $0.startedAt, lastRecordAt: $0.lastRecordAt,
          standing: standing($0.standing))
      },
      lastTrim: maintenance.lastTrim?.time)
  }

  private func standing(_ standing: ScrubHistory.Standing) -> String {
    switch standing {
    case .running: "running (or interrupted)"
    case .paused(let reason): "paused (\(reason))"
    case .cancelled(let reason): "cancelled (\(reason))"
    case .finished: "finished"
    }
  }

  func renderMaintenance(_ report: MaintenanceReport) -> [String] {
    var lines: [String] = []
    if let job = report.scrubJob {
      lines.append(
        "  Scrub: job started \(job.startedAt.formatted(.iso8601)), \(job.standing), last record"
          + " \(job.lastRecordAt.formatted(.iso8601))")
    } else {
      lines.append("  Scrub: none journaled")
    }
    for device in report.devices {
      var line = "    device \(device.devid) (\(device.path)):"
      if let scrubbed = device.scrubbed, let done = device.scrubbedExtents {
        line +=
          " \(done)/\(device.extents) device extents scrubbed, \(ByteCount(scrubbed.bytesScrubbed)),"
          + " \(scrubbed.correctedErrors) corrected, \(scrubbed.uncorrectableErrors) uncorrectable;"
      }
      if let kernel = device.kernelScrub {
        line += " kernel scrub running (\(ByteCount(kernel.bytesScrubbed)) so far);"
      }
      line +=
        " error counters "
        + device.errorCounters.named.map { "\($0.name) \($0.value)" }.joined(separator: ", ")
      lines.append(line)
    }
    lines.append(
      "  Trim: " + (report.lastTrim.map { "last \($0.formatted(.iso8601))" } ?? "none journaled"))
    return lines
  }
}
