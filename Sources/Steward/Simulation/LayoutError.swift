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
  /// A block group's address plus its length passes 2^64.
  case addressOverflow(vaddr: UInt64, length: UInt64)
  /// A block group has length 0.
  case emptyBlockGroup(vaddr: UInt64)
  /// A device has size 0.
  case emptyDevice(devid: UInt64)
  /// A device has more bytes allocated than its size.
  case overallocatedDevice(devid: UInt64, allocated: UInt64, total: UInt64)
  /// The devices' sizes add up past 2^64.
  case totalSizeOverflow
  /// The metadata node size is 0.
  case zeroNodeSize
  /// The chunk size of a type is 0.
  case zeroChunkSize(BlockGroupType)
  /// Extents are listed for an address that is no data or mixed block group of the layout, or
  /// twice for one.
  case extentsWithoutBlockGroup(vaddr: UInt64)
  /// An extent of the block group at `vaddr` has length 0.
  case emptyExtent(vaddr: UInt64, start: UInt64)
  /// An extent of the block group at `vaddr` starts before the one listed before it ends.
  case overlappingExtents(vaddr: UInt64, start: UInt64)
  /// An extent of the block group at `vaddr` does not lie within the block group.
  case extentOutsideBlockGroup(vaddr: UInt64, start: UInt64)
  /// More than one of the above, each listed.
  case contradictions([LayoutError])

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
    case .addressOverflow(let vaddr, let length):
      "block group at \(vaddr) with length \(length) ends past 2^64"
    case .emptyBlockGroup(let vaddr):
      "block group at \(vaddr) has length 0"
    case .emptyDevice(let devid):
      "device \(devid) has size 0"
    case .overallocatedDevice(let devid, let allocated, let total):
      "device \(devid) has \(allocated) bytes allocated but a size of \(total)"
    case .totalSizeOverflow:
      "the devices' sizes add up past 2^64"
    case .zeroNodeSize:
      "the node size is 0"
    case .zeroChunkSize(let type):
      "the \(type) chunk size is 0"
    case .extentsWithoutBlockGroup(let vaddr):
      "extents are listed for \(vaddr), which is no data or mixed block group, or twice"
    case .emptyExtent(let vaddr, let start):
      "block group at \(vaddr) has an extent of length 0 at \(start)"
    case .overlappingExtents(let vaddr, let start):
      "block group at \(vaddr) has an extent at \(start), before the end of the one listed before it"
    case .extentOutsideBlockGroup(let vaddr, let start):
      "block group at \(vaddr) has an extent at \(start) that does not lie within it"
    case .contradictions(let errors):
      "\(errors.count) contradictions:\n" + errors.map { "  - \($0)" }.joined(separator: "\n")
    }
  }
}

extension Layout {
  /// Checks what the simulator relies on: a node size and chunk sizes that are not 0, devices of
  /// non-zero size with no more allocated than their size (and sizes that add up within 64 bits),
  /// block groups of non-zero length in ascending, non-overlapping order that end within 2^64,
  /// each with a parallel chunk whose stripes are on listed devices (as many as its profile has,
  /// where that is fixed), no block group using more than its length, and extents (where the
  /// layout has them) listed once per data or mixed block group, each non-empty, within its block
  /// group and after the one before it. Arithmetic never overflows; every contradiction found is
  /// reported (one alone, or all in ``LayoutError/contradictions(_:)``).
  public func validate() throws(LayoutError) {
    var problems: [LayoutError] = []
    if nodeSize == 0 { problems.append(.zeroNodeSize) }
    for (type, size) in chunkSizes.sorted(by: { $0.key.rawValue < $1.key.rawValue }) where size == 0
    {
      problems.append(.zeroChunkSize(type))
    }
    var total: UInt64 = 0
    var totalOverflows = false
    for device in devices {
      if device.totalBytes == 0 { problems.append(.emptyDevice(devid: device.devid)) }
      if device.allocatedBytes > device.totalBytes {
        problems.append(
          .overallocatedDevice(
            devid: device.devid, allocated: device.allocatedBytes, total: device.totalBytes))
      }
      let (sum, overflow) = total.addingReportingOverflow(device.totalBytes)
      totalOverflows = totalOverflows || overflow
      total = sum
    }
    if totalOverflows { problems.append(.totalSizeOverflow) }
    let devids = Set(devices.map(\.devid))
    var previousEnd: UInt64 = 0
    for (index, group) in blockGroups.enumerated() {
      if index > 0, group.vaddr < previousEnd {
        problems.append(.blockGroupsOutOfOrder(vaddr: group.vaddr))
      }
      let (end, overflow) = group.vaddr.addingReportingOverflow(group.length)
      if overflow {
        problems.append(.addressOverflow(vaddr: group.vaddr, length: group.length))
      }
      previousEnd = overflow ? .max : end
      if group.length == 0 { problems.append(.emptyBlockGroup(vaddr: group.vaddr)) }
      if group.used > group.length { problems.append(.usedExceedsLength(vaddr: group.vaddr)) }
      guard index < chunks.count, chunks[index].vaddr == group.vaddr,
        chunks[index].length == group.length, chunks[index].flags == group.flags
      else {
        problems.append(.chunkMismatch(vaddr: group.vaddr))
        continue
      }
      let stripes = chunks[index].stripes
      if stripes.isEmpty {
        problems.append(.noStripes(vaddr: group.vaddr))
      } else if let fixed = group.profile.fixedStripeCount, stripes.count != fixed {
        problems.append(
          .stripeCountMismatch(vaddr: group.vaddr, profile: group.profile, stripes: stripes.count))
      }
      for stripe in stripes where !devids.contains(stripe.devid) {
        problems.append(.unknownDevice(vaddr: group.vaddr, devid: stripe.devid))
      }
    }
    if chunks.count > blockGroups.count {
      problems.append(.chunkMismatch(vaddr: chunks[blockGroups.count].vaddr))
    }
    if let extents { problems += extentProblems(extents) }
    if problems.count == 1 { throw problems[0] }
    if !problems.isEmpty { throw .contradictions(problems) }
  }

  /// The contradictions of `extents` with the block groups, the first one per block group. A read
  /// of a mounted filesystem finds none in practice: it walks the extent tree in key order, and a
  /// freed extent's space is not reused before the transaction that freed it commits.
  private func extentProblems(_ extents: [BlockGroupExtents]) -> [LayoutError] {
    var dataGroups: [UInt64: BlockGroup] = [:]
    for group in blockGroups where group.type == .data || group.type == .mixed {
      dataGroups[group.vaddr] = group
    }
    var listed = Set<UInt64>()
    var problems: [LayoutError] = []
    for entry in extents {
      guard let group = dataGroups[entry.vaddr], listed.insert(entry.vaddr).inserted else {
        problems.append(.extentsWithoutBlockGroup(vaddr: entry.vaddr))
        continue
      }
      let (sum, overflow) = group.vaddr.addingReportingOverflow(group.length)
      let end = overflow ? UInt64.max : sum
      var cursor = group.vaddr
      for extent in entry {
        let problem: LayoutError? =
          if extent.length == 0 {
            .emptyExtent(vaddr: group.vaddr, start: extent.start)
          } else if extent.start < group.vaddr || extent.start >= end
            || extent.length > end - extent.start
          {
            .extentOutsideBlockGroup(vaddr: group.vaddr, start: extent.start)
          } else if extent.start < cursor {
            .overlappingExtents(vaddr: group.vaddr, start: extent.start)
          } else {
            nil
          }
        if let problem {
          problems.append(problem)
          break
        }
        cursor = extent.start + extent.length
      }
    }
    return problems
  }
}
