import Btrfs

/// How many block groups of one type fall in each tenth of usage: 0–10 %, 10–20 %, … 90–100 %.
public struct UsageHistogram: Hashable, Sendable, Codable {
  /// The block-group type counted.
  public var type: BlockGroupType
  /// Ten counts; bucket `i` holds block groups with usage in [10·i, 10·i+10) percent (the last one
  /// includes 100 %).
  public var buckets: [Int]

  /// The histogram of the block groups of `type` among `blockGroups`.
  public init(type: BlockGroupType, blockGroups: [BlockGroup]) {
    self.type = type
    var buckets = Array(repeating: 0, count: 10)
    for blockGroup in blockGroups where blockGroup.type == type {
      buckets[min(9, Int(blockGroup.usagePercent / 10))] += 1
    }
    self.buckets = buckets
  }

  /// The number of block groups counted.
  public var total: Int { buckets.reduce(0, +) }

  /// One line per bucket: the range, a bar scaled to `width` characters, and the count.
  public func rendered(width: Int = 40) -> [String] {
    let largest = max(buckets.max() ?? 0, 1)
    return buckets.enumerated().map { index, count in
      let bar = String(repeating: "█", count: (count * width + largest - 1) / largest)
      let range = "\(index * 10)-\(index * 10 + 10)%"
      return
        "  \(range.padding(toLength: 8, withPad: " ", startingAt: 0)) \(bar.padding(toLength: width, withPad: " ", startingAt: 0)) \(count)"
    }
  }
}
