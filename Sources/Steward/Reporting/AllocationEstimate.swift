import Btrfs

/// How far new chunks could fill the devices, estimated the way python-btrfs's `fs_usage` does:
/// chunks are allocated on byte counts alone — on the devices with the most room first, as many as
/// the profile takes, each stripe as long as the fullest chosen device allows — until no chunk of
/// the profile fits any more. What is then left on a device no new chunk can use.
///
/// The device counts follow the kernel's `btrfs_raid_array` of today (``Profile/deviceCounts``);
/// python-btrfs still has raid10 needing four devices and raid0 two.
struct AllocationEstimate {
  /// The size of all devices together: no chunk is larger than a tenth of it.
  let filesystemBytes: UInt64

  /// The largest stripe of a new chunk of `type`, and the largest chunk, as python-btrfs takes
  /// them from the kernel (1 GiB data stripes up to 10 GiB chunks; 256 MiB metadata chunks, 1 GiB
  /// above 50 GiB), each chunk at most a tenth of the filesystem.
  private func limits(for type: BlockGroupType) -> (stripe: UInt64, chunk: UInt64) {
    let gibibyte: UInt64 = 1 << 30
    let limits: (stripe: UInt64, chunk: UInt64) =
      switch type {
      case .data, .mixed: (gibibyte, 10 * gibibyte)
      case .metadata, .system:
        filesystemBytes > 50 * gibibyte ? (gibibyte, gibibyte) : (256 << 20, 256 << 20)
      }
    return (limits.stripe, min(limits.chunk, filesystemBytes / 10))
  }

  /// Allocates one chunk of `flags` out of `free` (raw bytes per device, in device order), which it
  /// reduces; returns the chunk's logical length, 0 when no chunk fits any more.
  func allocateChunk(_ flags: BlockGroupFlags, from free: inout [UInt64]) -> UInt64 {
    let profile = flags.profile
    let counts = profile.deviceCounts
    let copiesPerDevice: UInt64 = profile == .dup ? 2 : 1
    let increment = profile.deviceIncrement
    var roomy = free.indices.filter { free[$0] > 0 }.sorted { free[$0] > free[$1] }
    roomy.removeLast(roomy.count % increment)
    guard roomy.count >= counts.minimum else { return 0 }
    if let maximum = counts.maximum { roomy = Array(roomy.prefix(maximum)) }
    let limits = limits(for: flags.type)
    var stripeLength = min(limits.stripe, free[roomy.last!] / copiesPerDevice)
    let stripeCount = roomy.count * Int(copiesPerDevice)
    let dataStripes = UInt64(profile.dataStripes(stripes: stripeCount))
    var chunkLength = stripeLength * dataStripes
    if chunkLength > limits.chunk {
      chunkLength = limits.chunk
      stripeLength = chunkLength / dataStripes
    }
    guard stripeLength > 0 else { return 0 }
    for device in roomy { free[device] -= stripeLength * copiesPerDevice }
    return chunkLength
  }

  /// What stays unallocatable of `free` when new chunks are allocated until none fits: metadata and
  /// data chunks in `ratio` (data bytes per metadata byte), or only `mixed` chunks; and the logical
  /// bytes of data and metadata those chunks would add.
  func fill(
    _ free: [UInt64], data: BlockGroupFlags, metadata: BlockGroupFlags?, ratio: Double
  ) -> (unallocatable: [UInt64], dataBytes: UInt64, metadataBytes: UInt64) {
    var free = free
    var dataBytes: UInt64 = 0
    var metadataBytes: UInt64 = 0
    guard let metadata else {
      while case let length = allocateChunk(data, from: &free), length > 0 { dataBytes += length }
      return (free, dataBytes, 0)
    }
    while true {
      let length = allocateChunk(metadata, from: &free)
      guard length > 0 else { break }
      metadataBytes += length
      while Double(dataBytes) / Double(metadataBytes) < ratio {
        let length = allocateChunk(data, from: &free)
        guard length > 0 else { return (free, dataBytes, metadataBytes) }
        dataBytes += length
      }
    }
    return (free, dataBytes, metadataBytes)
  }
}

extension Profile {
  /// The step in which the number of devices of a new chunk goes (the kernel's `devs_increment`).
  var deviceIncrement: Int {
    switch self {
    case .raid1, .raid10: 2
    case .raid1c3: 3
    case .raid1c4: 4
    case .single, .dup, .raid0, .raid5, .raid6: 1
    }
  }
}
