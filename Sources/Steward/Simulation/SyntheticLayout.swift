import Btrfs
import Foundation

/// A recipe for a made-up but self-consistent ``Layout``: data block groups of one chunk length and a
/// chosen usage distribution, metadata block groups spread among them, one system block group, chunks
/// striped over a number of devices, and space info and device allocation that add up. The same
/// recipe (seed included) always gives the same layout, so tests and benchmarks can rely on it.
///
/// ```swift
/// let layout = SyntheticLayout(dataBlockGroups: 1_000_000, dataUsage: .uniform(0...100)).layout()
/// ```
public struct SyntheticLayout: Hashable, Sendable {
  /// How full the data block groups are.
  public enum Usage: Hashable, Sendable {
    /// Every block group this full, in percent.
    case fixed(Double)
    /// Each block group uniformly random within this range, in percent.
    case uniform(ClosedRange<Double>)
  }

  /// How many data block groups.
  public var dataBlockGroups: Int
  /// The logical length of each data block group.
  public var dataChunkLength: UInt64
  /// The profile of data block groups.
  public var dataProfile: Profile
  /// How full data block groups are.
  public var dataUsage: Usage
  /// How many metadata block groups (spread evenly among the data block groups).
  public var metadataBlockGroups: Int
  /// The logical length of each metadata block group.
  public var metadataChunkLength: UInt64
  /// The profile of metadata and system block groups.
  public var metadataProfile: Profile
  /// How many devices the chunks are striped over (at least what the profiles need).
  public var deviceCount: Int
  /// Unallocated bytes on each device.
  public var unallocatedBytesPerDevice: UInt64
  /// The seed of the usage draws.
  public var seed: UInt64
  /// The layout's capture time.
  public var capturedAt: Date

  /// A recipe; by default a single device, 1 GiB single data block groups, DUP metadata (one
  /// metadata block group per 64 data ones) and 10 GiB unallocated.
  public init(
    dataBlockGroups: Int, dataChunkLength: UInt64 = 1 << 30, dataProfile: Profile = .single,
    dataUsage: Usage = .uniform(0...100), metadataBlockGroups: Int? = nil,
    metadataChunkLength: UInt64 = 256 << 20, metadataProfile: Profile = .dup,
    deviceCount: Int = 1, unallocatedBytesPerDevice: UInt64 = 10 << 30, seed: UInt64 = 1,
    capturedAt: Date = Date(timeIntervalSince1970: 1_735_689_600)
  ) {
    self.dataBlockGroups = dataBlockGroups
    self.dataChunkLength = dataChunkLength
    self.dataProfile = dataProfile
    self.dataUsage = dataUsage
    self.metadataBlockGroups = metadataBlockGroups ?? max(1, dataBlockGroups / 64)
    self.metadataChunkLength = metadataChunkLength
    self.metadataProfile = metadataProfile
    self.deviceCount = deviceCount
    self.unallocatedBytesPerDevice = unallocatedBytesPerDevice
    self.seed = seed
    self.capturedAt = capturedAt
  }

  /// The layout the recipe describes.
  public func layout() -> Layout {
    precondition(
      deviceCount >= max(dataProfile.deviceCounts.minimum, metadataProfile.deviceCounts.minimum),
      "too few devices for the profiles")
    var builder = SyntheticLayoutBuilder(deviceCount: deviceCount)
    var random = SplitMix64(seed: seed)
    builder.add(
      length: 32 << 20, used: 16 << 10,
      flags: BlockGroupFlags(type: .system, profile: metadataProfile))
    let metadataEvery = max(1, dataBlockGroups / max(1, metadataBlockGroups))
    var metadataLeft = metadataBlockGroups
    for index in 0..<dataBlockGroups {
      if metadataLeft > 0, index % metadataEvery == 0 {
        metadataLeft -= 1
        builder.add(
          length: metadataChunkLength,
          used: Self.used(
            of: metadataChunkLength, percent: Double.random(in: 20...80, using: &random)),
          flags: BlockGroupFlags(type: .metadata, profile: metadataProfile))
      }
      let percent =
        switch dataUsage {
        case .fixed(let percent): percent
        case .uniform(let range): Double.random(in: range, using: &random)
        }
      builder.add(
        length: dataChunkLength, used: Self.used(of: dataChunkLength, percent: percent),
        flags: BlockGroupFlags(type: .data, profile: dataProfile))
    }
    for _ in 0..<metadataLeft {
      builder.add(
        length: metadataChunkLength, used: metadataChunkLength / 2,
        flags: BlockGroupFlags(type: .metadata, profile: metadataProfile))
    }
    return builder.layout(
      fsid: String(format: "5e1f0000-0000-4000-8000-%012llx", seed & 0xFFFF_FFFF_FFFF),
      capturedAt: capturedAt, unallocatedBytesPerDevice: unallocatedBytesPerDevice,
      chunkSizes: [.data: dataChunkLength, .metadata: metadataChunkLength, .system: 32 << 20])
  }

  /// `percent` of `length`, in whole 4 KiB sectors.
  private static func used(of length: UInt64, percent: Double) -> UInt64 {
    let bytes = Double(length) * min(max(percent, 0), 100) / 100
    return min(UInt64(bytes) / 4096 * 4096, length)
  }
}
