import Btrfs

extension SimulatedSpace {
  /// The kernel's stripe alignment (`BTRFS_STRIPE_LEN`): stripe lengths are multiples of it.
  static let stripeAlignment: UInt64 = 64 << 10
  /// The kernel rounds a new chunk's stripe up to a multiple of this (`SZ_16M`).
  static let stripeRounding: UInt64 = 16 << 20
  /// The longest stripe a new chunk gets (`SZ_1G`).
  static let maximumStripe: UInt64 = 1 << 30

  /// The chunks the pool at `pool` would get, in order, to hold `bytes` more: each of the type's
  /// chunk length (see ``chunkLength(for:)``), or less when unallocated space runs short, on the
  /// devices with the most unallocated space, as the kernel picks them. Nothing is allocated yet.
  mutating func newChunks(holding bytes: UInt64, pool: Int) throws(OutOfSpace) -> [Chunk] {
    learnStripeEnds()
    var free = devices.map(\.unallocatedBytes)
    var offsets = devices.map(\.nextOffset)
    var vaddr = nextVaddr
    var remaining = bytes
    var chunks: [Chunk] = []
    let length = chunkLength(for: pools[pool].key)
    while remaining > 0 {
      guard
        let chunk = nextChunk(
          flags: pools[pool].key, length: length, at: vaddr, free: &free, offsets: &offsets)
      else { throw OutOfSpace() }
      chunks.append(chunk)
      vaddr = chunk.vaddr + chunk.length
      remaining -= min(remaining, chunk.length)
    }
    return chunks
  }

  /// One new chunk of `flags` aiming at logical `length`, taken from `free` device space (which it
  /// reduces), or `nil` when the profile's minimum number of devices have no room left.
  private func nextChunk(
    flags: BlockGroupFlags, length: UInt64, at vaddr: UInt64,
    free: inout [UInt64], offsets: inout [UInt64]
  ) -> Chunk? {
    let profile = flags.profile
    let counts = profile.deviceCounts
    let roomy = free.indices.filter { free[$0] > 0 }.sorted {
      free[$0] != free[$1] ? free[$0] > free[$1] : devices[$0].devid < devices[$1].devid
    }
    var deviceCount = min(roomy.count, counts.maximum ?? roomy.count)
    if profile == .raid10 { deviceCount -= deviceCount % 2 }
    guard deviceCount >= counts.minimum else { return nil }
    let chosen = roomy.prefix(deviceCount)
    let stripeCount = profile.stripeCount(devices: deviceCount)
    let dataStripes = UInt64(profile.dataStripes(stripes: stripeCount))
    let copiesPerDevice = UInt64(stripeCount / deviceCount)
    let room = chosen.map { free[$0] / copiesPerDevice }.min() ?? 0
    // decide_stripe_size_regular (volumes.c): the stripe is the chunk length over the data
    // stripes, rounded up to 16 MiB, at most 1 GiB and what the devices have, then aligned.
    let wanted =
      (length / dataStripes + Self.stripeRounding - 1) / Self.stripeRounding
      * Self.stripeRounding
    let stripeLength =
      min(wanted, Self.maximumStripe, room) / Self.stripeAlignment * Self.stripeAlignment
    guard stripeLength > 0 else { return nil }
    var stripes: [Chunk.Stripe] = []
    for device in chosen {
      for _ in 0..<copiesPerDevice {
        stripes.append(Chunk.Stripe(devid: devices[device].devid, offset: offsets[device]))
        offsets[device] += stripeLength
        free[device] -= stripeLength
      }
    }
    return Chunk(vaddr: vaddr, length: stripeLength * dataStripes, flags: flags, stripes: stripes)
  }

  /// Teaches every device where the layout's stripes on it end, once, so created stripes go past them.
  private mutating func learnStripeEnds() {
    guard !knowsStripeEnds else { return }
    knowsStripeEnds = true
    for chunk in base.chunks {
      let stripeLength = chunk.stripeLength
      for stripe in chunk.stripes {
        devices[deviceIndex(stripe.devid)].placeAfter(stripe.offset + stripeLength)
      }
    }
  }
}
