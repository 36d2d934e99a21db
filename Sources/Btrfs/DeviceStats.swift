/// A device's persistent error counters (GET_DEV_STATS), kept by the kernel in the device tree
/// across mounts until someone resets them.
public struct DeviceStats: Hashable, Sendable, Codable {
  /// Write errors from the block layer (EIO, EREMOTEIO).
  public var writeErrors: UInt64
  /// Read errors from the block layer.
  public var readErrors: UInt64
  /// Cache flush errors.
  public var flushErrors: UInt64
  /// Checksum or bytenr mismatches: the device returned wrong data (counted when read or
  /// scrubbed, whether or not a good copy repaired it).
  public var corruptionErrors: UInt64
  /// Blocks older than expected: writes the device lost.
  public var generationErrors: UInt64

  public init(
    writeErrors: UInt64 = 0, readErrors: UInt64 = 0, flushErrors: UInt64 = 0,
    corruptionErrors: UInt64 = 0, generationErrors: UInt64 = 0
  ) {
    self.writeErrors = writeErrors
    self.readErrors = readErrors
    self.flushErrors = flushErrors
    self.corruptionErrors = corruptionErrors
    self.generationErrors = generationErrors
  }

  /// Every counter with its name as `btrfs device stats` prints it.
  public var named: [(name: String, value: UInt64)] {
    [
      ("write_io_errs", writeErrors), ("read_io_errs", readErrors),
      ("flush_io_errs", flushErrors), ("corruption_errs", corruptionErrors),
      ("generation_errs", generationErrors),
    ]
  }

  /// The sum of all counters.
  public var total: UInt64 {
    writeErrors + readErrors + flushErrors + corruptionErrors + generationErrors
  }
}
