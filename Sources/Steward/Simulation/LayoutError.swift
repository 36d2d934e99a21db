import Btrfs

/// Why a layout cannot be simulated or planned against: it contradicts itself.
public enum LayoutError: Error, Hashable, Sendable, CustomStringConvertible {
  /// Block groups are not in strictly ascending, non-overlapping logical order.
  case blockGroupsOutOfOrder(vaddr: UInt64)
  /// A block group has no chunk with the same address, length and flags (chunks must be parallel
  /// to block groups).
  case chunkMismatch(vaddr: UInt64)
  /// A chunk has a stripe on a device the layout does not list.
  case unknownDevice(vaddr: UInt64, devid: UInt64)
  /// A chunk has no stripes.
  case noStripes(vaddr: UInt64)
  /// A chunk has another number of stripes than its profile always has.
  case stripeCountMismatch(vaddr: UInt64, profile: Profile, stripes: Int)
  /// A block group claims more used bytes than its length.
  case usedExceedsLength(vaddr: UInt64)

  public var description: String {
    switch self {
    case .blockGroupsOutOfOrder(let vaddr):
      "block group at \(vaddr) is out of order or overlaps the one before it"
    case .chunkMismatch(let vaddr):
      "block group at \(vaddr) has no matching chunk (same address, length and flags)"
    case .unknownDevice(let vaddr, let devid):
      "chunk at \(vaddr) has a stripe on device \(devid), which the layout does not list"
    case .noStripes(let vaddr):
      "chunk at \(vaddr) has no stripes"
    case .stripeCountMismatch(let vaddr, let profile, let stripes):
      "chunk at \(vaddr) has \(stripes) stripes, but a \(profile.rawValue) chunk has "
        + "\(profile.fixedStripeCount ?? 0)"
    case .usedExceedsLength(let vaddr):
      "block group at \(vaddr) uses more bytes than its length"
    }
  }
}

extension Layout {
  /// Checks what the simulator relies on: block groups in ascending, non-overlapping order, each
  /// with a parallel chunk whose stripes are on listed devices (as many as its profile has, where
  /// that is fixed), and no block group using more than its length.
  public func validate() throws(LayoutError) {
    let devids = Set(devices.map(\.devid))
    var previousEnd: UInt64 = 0
    for (index, group) in blockGroups.enumerated() {
      guard index == 0 || group.vaddr >= previousEnd else {
        throw .blockGroupsOutOfOrder(vaddr: group.vaddr)
      }
      previousEnd = group.end
      guard group.used <= group.length else { throw .usedExceedsLength(vaddr: group.vaddr) }
      guard index < chunks.count, chunks[index].vaddr == group.vaddr,
        chunks[index].length == group.length, chunks[index].flags == group.flags
      else { throw .chunkMismatch(vaddr: group.vaddr) }
      let stripes = chunks[index].stripes
      guard !stripes.isEmpty else { throw .noStripes(vaddr: group.vaddr) }
      if let fixed = group.profile.fixedStripeCount, stripes.count != fixed {
        throw .stripeCountMismatch(
          vaddr: group.vaddr, profile: group.profile, stripes: stripes.count)
      }
      for stripe in stripes where !devids.contains(stripe.devid) {
        throw .unknownDevice(vaddr: group.vaddr, devid: stripe.devid)
      }
    }
    if chunks.count > blockGroups.count {
      throw .chunkMismatch(vaddr: chunks[blockGroups.count].vaddr)
    }
  }
}
