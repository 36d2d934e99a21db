import Btrfs

/// The space of every device of a filesystem and how much of it new chunks can really use, after
/// python-btrfs's `fs_usage`: unallocated space that no new chunk can use now because of how the
/// devices are filled (*soft*: a balance could win it back), and space that no allocation can ever
/// use because of the devices' sizes (*hard*: even an empty filesystem leaves it over).
///
/// Both come from ``AllocationEstimate``: new metadata and data chunks, of the profiles the
/// filesystem's newest chunks have and in the ratio of data to metadata it uses, are allocated until
/// none fits — from the unallocated space for *soft*, from the whole devices for *hard*.
public struct DeviceSpaceReport: Hashable, Sendable, Codable {
  /// One device's space.
  public struct Device: Hashable, Sendable, Codable {
    /// The device id inside the filesystem.
    public var devid: UInt64
    /// The path of the block device.
    public var path: String
    /// The device's size available to btrfs.
    public var sizeBytes: UInt64
    /// Bytes allocated to chunks.
    public var allocatedBytes: UInt64
    /// Bytes allocated to no chunk.
    public var unallocatedBytes: UInt64
    /// Raw bytes of this device each type and profile takes, as `btrfs filesystem usage` lists
    /// them under the device.
    public var allocations: [Allocation]
    /// Unallocated bytes no new chunk can use now, because of how the devices are filled.
    public var unallocatableSoftBytes: UInt64
    /// Bytes no allocation can ever use, because of the devices' sizes.
    public var unallocatableHardBytes: UInt64
    /// Unallocatable bytes a balance could win back: soft less hard.
    public var reclaimableBytes: UInt64
    /// For each profile in ``DeviceSpaceReport/allocatable``, the raw bytes of this device new
    /// chunks of that profile alone could take.
    public var allocatable: [ProfileBytes]
  }

  /// Raw device bytes of one type and profile.
  public struct Allocation: Hashable, Sendable, Codable {
    public var type: BlockGroupType
    public var profile: Profile
    public var bytes: UInt64
  }

  /// Bytes new chunks of one profile alone could get.
  public struct ProfileBytes: Hashable, Sendable, Codable {
    public var profile: Profile
    public var bytes: UInt64
  }

  /// Every device, by device id.
  public var devices: [Device]
  /// The profile of the newest data (or mixed) chunk, which the estimate gives new data chunks.
  public var dataProfile: Profile
  /// The profile of the newest metadata chunk; `nil` on a filesystem of mixed block groups.
  public var metadataProfile: Profile?
  /// Unallocated bytes no new chunk can use now, on all devices.
  public var unallocatableSoftBytes: UInt64
  /// Bytes no allocation can ever use, on all devices.
  public var unallocatableHardBytes: UInt64
  /// For each profile the filesystem's data and metadata have, the logical bytes new chunks of
  /// that profile alone could hold in today's unallocated space: a raid1 filesystem whose
  /// unallocated space is all on one device can allocate no raid1 chunk at all.
  public var allocatable: [ProfileBytes]

  /// The report of `layout`.
  public init(_ layout: Layout) {
    let estimate = AllocationEstimate(filesystemBytes: layout.totalBytes)
    let newest = Self.newestProfiles(layout)
    dataProfile = newest.data
    metadataProfile = newest.metadata
    let dataFlags = BlockGroupFlags(
      type: newest.metadata == nil ? .mixed : .data, profile: newest.data)
    let metadataFlags = newest.metadata.map { BlockGroupFlags(type: .metadata, profile: $0) }
    let ratio = Self.dataMetadataRatio(layout)
    let soft = estimate.fill(
      layout.devices.map(\.unallocatedBytes), data: dataFlags, metadata: metadataFlags,
      ratio: ratio
    ).unallocatable
    let hard = estimate.fill(
      layout.devices.map(\.totalBytes), data: dataFlags, metadata: metadataFlags, ratio: ratio
    ).unallocatable
    unallocatableSoftBytes = soft.reduce(0, +)
    unallocatableHardBytes = hard.reduce(0, +)

    var profiles: [Profile] = []
    for group in layout.blockGroups where group.type != .system {
      if !profiles.contains(group.flags.profile) { profiles.append(group.flags.profile) }
    }
    var perDevice = Array(repeating: [ProfileBytes](), count: layout.devices.count)
    allocatable = profiles.map { profile in
      let start = layout.devices.map(\.unallocatedBytes)
      let filled = estimate.fill(
        start, data: BlockGroupFlags(type: .data, profile: profile), metadata: nil, ratio: 0)
      for index in start.indices {
        perDevice[index].append(
          ProfileBytes(profile: profile, bytes: start[index] - filled.unallocatable[index]))
      }
      return ProfileBytes(profile: profile, bytes: filled.dataBytes)
    }

    let allocations = Self.allocationsPerDevice(layout)
    devices = layout.devices.indices.map { index in
      let device = layout.devices[index]
      return Device(
        devid: device.devid, path: device.path, sizeBytes: device.totalBytes,
        allocatedBytes: device.allocatedBytes, unallocatedBytes: device.unallocatedBytes,
        allocations: allocations[device.devid] ?? [],
        unallocatableSoftBytes: soft[index], unallocatableHardBytes: hard[index],
        reclaimableBytes: soft[index] - min(soft[index], hard[index]),
        allocatable: perDevice[index])
    }
  }

  /// The profiles of the newest data (or mixed) and metadata chunks: the ones the estimate gives
  /// new chunks, as python-btrfs takes them. Metadata is `nil` when block groups are mixed.
  private static func newestProfiles(_ layout: Layout) -> (data: Profile, metadata: Profile?) {
    let newestData = layout.chunks.last { $0.flags.type == .data || $0.flags.type == .mixed }
    let newestMetadata = layout.chunks.last { $0.flags.type == .metadata }
    if newestData?.flags.type == .mixed || (newestData == nil && newestMetadata == nil) {
      return (newestData?.flags.profile ?? .single, nil)
    }
    return (newestData?.flags.profile ?? .single, newestMetadata?.flags.profile ?? .single)
  }

  /// Data bytes per metadata byte the estimate allocates: python-btrfs's mix of 200 and the ratio
  /// in use, the one in use weighing more the fuller the filesystem is.
  private static func dataMetadataRatio(_ layout: Layout) -> Double {
    let entries = layout.spaceInfo.filter { !$0.isGlobalReserve }
    let used = Double(entries.reduce(0) { $0 + $1.used })
    let data = Double(entries.filter { $0.flags.type == .data }.reduce(0) { $0 + $1.used })
    let metadata = Double(entries.filter { $0.flags.type == .metadata }.reduce(0) { $0 + $1.used })
    guard metadata > 0, layout.totalBytes > 0 else { return 200 }
    let fraction = used / Double(layout.totalBytes)
    return fraction * (data / metadata) + (1 - fraction) * 200
  }

  /// Raw bytes per device, type and profile, from every chunk's stripes, in `btrfs filesystem
  /// usage`'s order (data, metadata, system).
  private static func allocationsPerDevice(_ layout: Layout) -> [UInt64: [Allocation]] {
    var bytes: [UInt64: [BlockGroupFlags: UInt64]] = [:]
    for chunk in layout.chunks {
      let length = chunk.stripeLength
      for stripe in chunk.stripes {
        bytes[stripe.devid, default: [:]][chunk.flags, default: 0] += length
      }
    }
    return bytes.mapValues { perFlags in
      perFlags.map { Allocation(type: $0.key.type, profile: $0.key.profile, bytes: $0.value) }
        .sorted {
          ($0.type, $0.profile.rawValue) < ($1.type, $1.profile.rawValue)
        }
    }
  }
}

extension DeviceSpaceReport {
  /// The devices for a person: one line per device with its space, one with what its chunks take,
  /// and what new chunks could still get.
  public func rendered() -> [String] {
    var lines = [
      "  " + "Device".padding(toLength: 22, withPad: " ", startingAt: 0)
        + "Size".leftPadded(to: 10) + "Allocated".leftPadded(to: 12)
        + "Unallocated".leftPadded(to: 13) + "Unusable now".leftPadded(to: 14)
        + "Never usable".leftPadded(to: 14)
    ]
    for device in devices {
      let name = "\(device.devid) \(device.path)"
      let shortName = name.count > 21 ? "…" + name.suffix(20) : name
      let figures = [
        (device.sizeBytes, 10), (device.allocatedBytes, 12), (device.unallocatedBytes, 13),
        (device.unallocatableSoftBytes, 14), (device.unallocatableHardBytes, 14),
      ].map { ByteCount($0.0).description.leftPadded(to: $0.1) }
      lines.append(
        "  " + shortName.padding(toLength: 22, withPad: " ", startingAt: 0) + figures.joined())
      if !device.allocations.isEmpty {
        lines.append(
          "    "
            + device.allocations.map {
              "\($0.type.displayName), \($0.profile.displayName) \(ByteCount($0.bytes))"
            }.joined(separator: "; "))
      }
    }
    let newChunks =
      "data \(dataProfile.displayName)"
      + (metadataProfile.map { ", metadata \($0.displayName)" } ?? "")
    lines.append(
      "  Unusable now by new chunks (\(newChunks)): \(ByteCount(unallocatableSoftBytes)), "
        + "a balance could win back \(ByteCount(unallocatableSoftBytes - min(unallocatableSoftBytes, unallocatableHardBytes))); "
        + "never usable because of device sizes: \(ByteCount(unallocatableHardBytes))")
    lines.append(
      "  New chunks could hold: "
        + allocatable.map { "\(ByteCount($0.bytes)) as \($0.profile.displayName)" }
        .joined(separator: ", "))
    return lines
  }
}
