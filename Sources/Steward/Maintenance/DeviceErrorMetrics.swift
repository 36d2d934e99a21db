import Btrfs
import Foundation

/// The device error watch's figures for node_exporter's textfile collector, in a metrics file of
/// their own (`check --metrics-file`): each device's error counters as the kernel keeps them, and
/// the rises the watch has seen, so an alert can fire on `increase(...)` of either.
public struct DeviceErrorMetrics: Sendable {
  /// One filesystem's readings.
  public struct Filesystem: Sendable {
    public var fsid: String
    public var mountpoint: String
    /// Each device's path and counters now.
    public var devices: [(devid: UInt64, path: String, stats: DeviceStats)]
    /// How many times the watch has seen each device's counters rise (from the journal).
    public var rises: [UInt64: Int]
    /// When the counters were read.
    public var checkedAt: Date

    public init(
      fsid: String, mountpoint: String,
      devices: [(devid: UInt64, path: String, stats: DeviceStats)],
      rises: [UInt64: Int], checkedAt: Date
    ) {
      self.fsid = fsid
      self.mountpoint = mountpoint
      self.devices = devices
      self.rises = rises
      self.checkedAt = checkedAt
    }
  }

  /// The exposition-format text for `filesystems`.
  public static func text(_ filesystems: [Filesystem]) -> String {
    var text = """
      # HELP btrfs_steward_device_errors_total A device's error counter as the kernel keeps it (GET_DEV_STATS).
      # TYPE btrfs_steward_device_errors_total counter

      """
    for filesystem in filesystems {
      for device in filesystem.devices {
        for (name, value) in device.stats.named {
          text +=
            "btrfs_steward_device_errors_total{\(labels(filesystem, device)),counter=\"\(name)\"} \(value)\n"
        }
      }
    }
    text += """
      # HELP btrfs_steward_device_error_rises_total How many checks found the device's error counters risen.
      # TYPE btrfs_steward_device_error_rises_total counter

      """
    for filesystem in filesystems {
      for device in filesystem.devices {
        text +=
          "btrfs_steward_device_error_rises_total{\(labels(filesystem, device))} \(filesystem.rises[device.devid] ?? 0)\n"
      }
    }
    text += """
      # HELP btrfs_steward_device_errors_checked_timestamp_seconds When the error counters were last read.
      # TYPE btrfs_steward_device_errors_checked_timestamp_seconds gauge

      """
    for filesystem in filesystems {
      text +=
        "btrfs_steward_device_errors_checked_timestamp_seconds{fsid=\"\(MetricsFile.escaped(filesystem.fsid))\",mountpoint=\"\(MetricsFile.escaped(filesystem.mountpoint))\"} \(Int(filesystem.checkedAt.timeIntervalSince1970))\n"
    }
    return text
  }

  /// Replaces `file` with the metrics of `filesystems`.
  public static func write(_ filesystems: [Filesystem], to file: MetricsFile)
    throws(MetricsFileError)
  {
    try file.replace(with: text(filesystems))
  }

  private static func labels(
    _ filesystem: Filesystem, _ device: (devid: UInt64, path: String, stats: DeviceStats)
  ) -> String {
    "fsid=\"\(MetricsFile.escaped(filesystem.fsid))\",mountpoint=\"\(MetricsFile.escaped(filesystem.mountpoint))\",devid=\"\(device.devid)\",device=\"\(MetricsFile.escaped(device.path))\""
  }
}
