import CBtrfs
import SystemPackage

extension FileSystem {
  /// Scrubs the device extents of device `devid` that start in `physicalRange` (SCRUB) and blocks
  /// until that is done or cancelled. The kernel scrubs every device extent whose start lies below
  /// the range's upper bound and whose end lies above its lower bound, each from its first byte:
  /// to resume, start at the first device extent not yet scrubbed. The device's super block copies
  /// are checked by every call.
  ///
  /// - Parameter readOnly: verify only; never write a repair.
  /// - Returns: whether it finished or was cancelled, with the kernel's counters for this call.
  /// - Throws: ``BtrfsError/scrubInProgress(path:devid:)`` when the device is being scrubbed (or a
  ///   device replace runs), ``BtrfsError/noSuchDevice(path:devid:)`` for an unknown or missing
  ///   device, ``BtrfsError/notPermitted(operation:path:)`` without CAP_SYS_ADMIN.
  public func scrub(
    devid: UInt64, physicalRange: Range<UInt64>, readOnly: Bool = false
  ) throws(BtrfsError) -> ScrubOutcome {
    var arguments = btrfs_ioctl_scrub_args()
    arguments.devid = devid
    arguments.start = physicalRange.lowerBound
    arguments.end = physicalRange.upperBound
    arguments.flags = readOnly ? UInt64(BTRFS_SCRUB_READONLY) : 0
    do {
      try ioctl("SCRUB", CBTRFS_IOC_SCRUB, &arguments)
    } catch .systemCall(_, _, let errno) where errno == .canceled {
      // The kernel copies the counters back whatever the result.
      return .cancelled(ScrubCounters(arguments.progress))
    } catch .systemCall(_, _, let errno) where errno == .nowInProgress {
      throw .scrubInProgress(path: path, devid: devid)
    } catch .systemCall(_, _, let errno) where errno == .operationNotSupportedByDevice {
      throw .noSuchDevice(path: path, devid: devid)
    }
    return .finished(ScrubCounters(arguments.progress))
  }

  /// The counters of the scrub running on device `devid` (SCRUB_PROGRESS), or `nil` when none runs.
  public func scrubProgress(devid: UInt64) throws(BtrfsError) -> ScrubCounters? {
    var arguments = btrfs_ioctl_scrub_args()
    arguments.devid = devid
    do {
      try ioctl("SCRUB_PROGRESS", CBTRFS_IOC_SCRUB_PROGRESS, &arguments)
    } catch .systemCall(_, _, let errno) where errno == .socketNotConnected {
      return nil
    } catch .systemCall(_, _, let errno) where errno == .operationNotSupportedByDevice {
      throw .noSuchDevice(path: path, devid: devid)
    }
    return ScrubCounters(arguments.progress)
  }

  /// Cancels every scrub running on the filesystem (SCRUB_CANCEL) and waits until they have stopped.
  ///
  /// - Throws: ``BtrfsError/noScrub(path:)`` when none runs.
  public func cancelScrub() throws(BtrfsError) {
    let descriptor = descriptor.rawValue
    do {
      try systemCall("SCRUB_CANCEL", path: path) {
        cbtrfs_ioctl_value(descriptor, CBTRFS_IOC_SCRUB_CANCEL, 0)
      }
    } catch .systemCall(_, _, let errno) where errno == .socketNotConnected {
      throw .noScrub(path: path)
    }
  }

  /// The device extents of device `devid`, in physical order, from the device tree.
  public func deviceExtents(devid: UInt64) throws(BtrfsError) -> [DeviceExtent] {
    let search = TreeSearch(self)
    var extents: [DeviceExtent] = []
    try search.forEachItem(
      in: TreeID.device,
      from: TreeKey(objectid: devid, type: KeyType.deviceExtent, offset: 0),
      through: TreeKey(objectid: devid, type: KeyType.deviceExtent, offset: .max)
    ) { (key, item) throws(BtrfsError) in
      guard item.count >= CBTRFS_DEV_EXTENT_SIZE else {
        throw .malformedItem(
          tree: TreeID.device, detail: "device extent \(key) is \(item.count) bytes")
      }
      func load(_ offset: Int) -> UInt64 {
        UInt64(littleEndian: item.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
      }
      extents.append(
        DeviceExtent(
          devid: devid, physical: key.offset, length: load(CBTRFS_DEV_EXTENT_LENGTH),
          chunkVaddr: load(CBTRFS_DEV_EXTENT_CHUNK_OFFSET)))
    }
    return extents
  }
}

extension ScrubCounters {
  init(_ progress: btrfs_scrub_progress) {
    self.init()
    dataExtents = progress.data_extents_scrubbed
    treeExtents = progress.tree_extents_scrubbed
    dataBytes = progress.data_bytes_scrubbed
    treeBytes = progress.tree_bytes_scrubbed
    readErrors = progress.read_errors
    checksumErrors = progress.csum_errors
    verifyErrors = progress.verify_errors
    noChecksum = progress.no_csum
    checksumDiscards = progress.csum_discards
    superErrors = progress.super_errors
    allocationErrors = progress.malloc_errors
    uncorrectableErrors = progress.uncorrectable_errors
    correctedErrors = progress.corrected_errors
    lastPhysical = progress.last_physical
    unverifiedErrors = progress.unverified_errors
  }
}
