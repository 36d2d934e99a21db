import Btrfs

extension Profile {
  /// How many of a chunk's `stripes` hold distinct data: the logical length divided by this is the
  /// length of each stripe on its device (a `dup` or `raid1` stripe is as long as the chunk; a
  /// `raid0` stripe is the chunk's length divided by the number of devices).
  func dataStripes(stripes: Int) -> Int {
    switch self {
    case .single, .dup, .raid1, .raid1c3, .raid1c4: 1
    case .raid0: max(stripes, 1)
    case .raid10: max(stripes / 2, 1)
    case .raid5: max(stripes - 1, 1)
    case .raid6: max(stripes - 2, 1)
    }
  }

  /// How many stripes every chunk of this profile has, for the profiles where that is fixed: one
  /// copy per stripe, each as long as the chunk.
  var fixedStripeCount: Int? {
    switch self {
    case .single: 1
    case .dup, .raid1: 2
    case .raid1c3: 3
    case .raid1c4: 4
    case .raid0, .raid10, .raid5, .raid6: nil
    }
  }

  /// How many devices a new chunk of this profile needs at least, and how many it uses at most
  /// (`nil`: as many as have space), following the kernel's `btrfs_raid_array`.
  var deviceCounts: (minimum: Int, maximum: Int?) {
    switch self {
    case .single, .dup: (1, 1)
    case .raid1: (2, 2)
    case .raid1c3: (3, 3)
    case .raid1c4: (4, 4)
    case .raid0: (1, nil)
    case .raid10: (2, nil)
    case .raid5: (2, nil)
    case .raid6: (3, nil)
    }
  }

  /// How many stripes a new chunk of this profile has on `devices` devices.
  func stripeCount(devices: Int) -> Int {
    switch self {
    case .dup: 2
    case .raid10: devices - devices % 2
    default: devices
    }
  }
}

extension Chunk {
  /// The length of each of the chunk's stripes on its device.
  var stripeLength: UInt64 {
    length / UInt64(flags.profile.dataStripes(stripes: stripes.count))
  }

  /// Raw device bytes all its stripes take.
  var rawBytes: UInt64 { stripeLength * UInt64(stripes.count) }
}
