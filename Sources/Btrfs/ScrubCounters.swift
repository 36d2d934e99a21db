/// What a scrub of one device has done and found, as the kernel counts it (`btrfs_scrub_progress`).
/// Counters cover one scrub ioctl; ``adding(_:)`` sums those of several.
public struct ScrubCounters: Hashable, Sendable, Codable {
  /// Data extents and tree blocks read and verified.
  public var dataExtents: UInt64 = 0
  public var treeExtents: UInt64 = 0
  /// Data and metadata bytes read and verified.
  public var dataBytes: UInt64 = 0
  public var treeBytes: UInt64 = 0
  /// Reads that failed (EIO).
  public var readErrors: UInt64 = 0
  /// Blocks whose checksum did not match.
  public var checksumErrors: UInt64 = 0
  /// Tree blocks whose header did not match (generation, logical address).
  public var verifyErrors: UInt64 = 0
  /// Data blocks without a checksum (nodatasum).
  public var noChecksum: UInt64 = 0
  /// Checksums with no data found for them.
  public var checksumDiscards: UInt64 = 0
  /// Bad super block copies.
  public var superErrors: UInt64 = 0
  /// Kernel allocation failures; they leave the scrub incomplete.
  public var allocationErrors: UInt64 = 0
  /// Errors no good copy was found for (or whose repair could not be written).
  public var uncorrectableErrors: UInt64 = 0
  /// Errors repaired from a good copy.
  public var correctedErrors: UInt64 = 0
  /// Reads that failed as a whole but succeeded block by block.
  public var unverifiedErrors: UInt64 = 0
  /// The last physical byte of the device scrubbed (the kernel's restart hint).
  public var lastPhysical: UInt64 = 0

  public init() {}

  /// Bytes verified, data and metadata.
  public var bytesScrubbed: UInt64 { dataBytes + treeBytes }

  /// Errors found, corrected or not (read, checksum, verify and super block errors).
  public var errorsFound: UInt64 { readErrors + checksumErrors + verifyErrors + superErrors }

  /// The sum of these counters and `other`'s; the last physical byte is `other`'s.
  public func adding(_ other: ScrubCounters) -> ScrubCounters {
    var sum = ScrubCounters()
    sum.dataExtents = dataExtents + other.dataExtents
    sum.treeExtents = treeExtents + other.treeExtents
    sum.dataBytes = dataBytes + other.dataBytes
    sum.treeBytes = treeBytes + other.treeBytes
    sum.readErrors = readErrors + other.readErrors
    sum.checksumErrors = checksumErrors + other.checksumErrors
    sum.verifyErrors = verifyErrors + other.verifyErrors
    sum.noChecksum = noChecksum + other.noChecksum
    sum.checksumDiscards = checksumDiscards + other.checksumDiscards
    sum.superErrors = superErrors + other.superErrors
    sum.allocationErrors = allocationErrors + other.allocationErrors
    sum.uncorrectableErrors = uncorrectableErrors + other.uncorrectableErrors
    sum.correctedErrors = correctedErrors + other.correctedErrors
    sum.unverifiedErrors = unverifiedErrors + other.unverifiedErrors
    sum.lastPhysical = other.lastPhysical
    return sum
  }
}

/// How a scrub ioctl ended.
public enum ScrubOutcome: Hashable, Sendable {
  /// It scrubbed its whole range.
  case finished(ScrubCounters)
  /// SCRUB_CANCEL stopped it; the counters say how far it got.
  case cancelled(ScrubCounters)

  /// The counters, however it ended.
  public var counters: ScrubCounters {
    switch self {
    case .finished(let counters), .cancelled(let counters): counters
    }
  }
}
