import Btrfs

extension SimulatedSpace {
  /// The live block groups `arguments` select, in ascending logical address, with the profile each
  /// is relocated into. Every filter of the kernel's filter language is honoured; `limit` keeps the
  /// first matches in address order. A mixed block group is selected by the data filter, as the
  /// kernel does.
  func selection(_ arguments: BalanceArguments) -> [(index: Int, profile: Profile)] {
    let filters: [(BalanceFilter?, Set<BlockGroupType>)] = [
      (arguments.data, [.data, .mixed]), (arguments.metadata, [.metadata]),
      (arguments.system, [.system]),
    ]
    var selected: [(index: Int, profile: Profile)] = []
    for case (let filter?, let types) in filters {
      let limit: UInt64? =
        switch filter.limit {
        case .count(let count): count
        case .range(let range): UInt64(range.upperBound)
        case nil: nil
        }
      var matched: UInt64 = 0
      for index in candidateIndices(filter) where isAlive[index] {
        if let limit, matched >= limit { break }
        let group = groups[index]
        guard types.contains(group.type), matches(filter, index) else { continue }
        matched += 1
        let profile =
          filter.convert.map { filter.soft && $0 == group.profile ? group.profile : $0 }
          ?? group.profile
        selected.append((index, profile))
      }
    }
    return selected.sorted { $0.index < $1.index }
  }

  /// The indices a filter can select: those overlapping its `vrange` when it has one, else all.
  private func candidateIndices(_ filter: BalanceFilter) -> Range<Int> {
    guard let range = filter.virtualRange else { return groups.indices }
    let first = firstIndex(endingAfter: range.lowerBound)
    var last = first
    while last < groups.count, groups[last].vaddr < range.upperBound { last += 1 }
    return first..<last
  }

  /// Whether the block group at `index` passes every criterion of `filter` except `limit` and
  /// `vrange`, which ``candidateIndices(_:)`` has applied.
  private func matches(_ filter: BalanceFilter, _ index: Int) -> Bool {
    let group = groups[index]
    if let profiles = filter.profiles, !profiles.contains(group.profile) { return false }
    if let usage = filter.usage, !Self.usage(usage, passes: group) { return false }
    if filter.convert == group.profile, filter.soft { return false }
    let chunk = chunk(index)
    if let stripes = filter.stripes, !stripes.contains(UInt32(chunk.stripes.count)) { return false }
    if let devid = filter.devid {
      let onDevice = chunk.stripes.filter { $0.devid == devid }
      guard !onDevice.isEmpty else { return false }
      if let range = filter.physicalRange {
        let stripeLength = chunk.stripeLength
        guard
          onDevice.contains(where: {
            $0.offset < range.upperBound && $0.offset + stripeLength > range.lowerBound
          })
        else { return false }
      }
    }
    return true
  }

  /// Whether `group` passes a usage filter, with the kernel's thresholds (`chunk_usage_filter` and
  /// `chunk_usage_range_filter`): `usage=0` means empty, above 100 means any.
  private static func usage(_ usage: BalanceFilter.Usage, passes group: BlockGroup) -> Bool {
    func threshold(_ percent: UInt32, zero: UInt64) -> UInt64 {
      percent == 0 ? zero : percent > 100 ? group.length : group.length * UInt64(percent) / 100
    }
    switch usage {
    case .below(let percent):
      return group.used < threshold(percent, zero: 1)
    case .range(let range):
      return threshold(range.lowerBound, zero: 0) <= group.used
        && group.used < threshold(range.upperBound, zero: 1)
    }
  }
}
