import CBtrfs
import SystemPackage

extension FileSystem {
  /// The error counters of device `devid` (GET_DEV_STATS). They are only read: the reset flag is
  /// never passed, so other tools' view of them is untouched.
  ///
  /// - Throws: ``BtrfsError/noSuchDevice(path:devid:)`` for an unknown device.
  public func deviceStats(devid: UInt64) throws(BtrfsError) -> DeviceStats {
    var arguments = btrfs_ioctl_get_dev_stats()
    arguments.devid = devid
    arguments.nr_items = UInt64(BTRFS_DEV_STAT_VALUES_MAX.rawValue)
    arguments.flags = 0
    do {
      try ioctl("GET_DEV_STATS", CBTRFS_IOC_GET_DEV_STATS, &arguments)
    } catch .systemCall(_, _, let errno) where errno == .operationNotSupportedByDevice {
      throw .noSuchDevice(path: path, devid: devid)
    }
    // Counters past `nr_items` (an older kernel knows fewer) read as zero.
    let count = Int(arguments.nr_items)
    let values = withUnsafeBytes(of: arguments.values) { raw in
      (0..<5).map { $0 < count ? raw.load(fromByteOffset: $0 * 8, as: UInt64.self) : 0 }
    }
    return DeviceStats(
      writeErrors: values[Int(BTRFS_DEV_STAT_WRITE_ERRS.rawValue)],
      readErrors: values[Int(BTRFS_DEV_STAT_READ_ERRS.rawValue)],
      flushErrors: values[Int(BTRFS_DEV_STAT_FLUSH_ERRS.rawValue)],
      corruptionErrors: values[Int(BTRFS_DEV_STAT_CORRUPTION_ERRS.rawValue)],
      generationErrors: values[Int(BTRFS_DEV_STAT_GENERATION_ERRS.rawValue)])
  }
}
