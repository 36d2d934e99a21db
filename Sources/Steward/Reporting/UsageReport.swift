import Btrfs

/// What `btrfs-steward usage` reports: space per type and profile, allocated and unallocated space,
/// block-group counts and usage histograms, and every block group.
public struct UsageReport: Hashable, Sendable, Codable {
  public var fsid: String
  public var mountpoint: String?
  public var totalBytes: UInt64
  public var allocatedBytes: UInt64
  public var unallocatedBytes: UInt64
  public var devices: [DeviceInfo]
  /// Every device's space, and what new chunks can really use of it.
  public var deviceSpace: DeviceSpaceReport
  public var spaceInfo: [SpaceInfo]
  public var blockGroupCounts: [BlockGroupType: Int]
  /// Block groups and used bytes per type and profile.
  public var profileShares: [ProfileShare]
  public var histograms: [UsageHistogram]
  public var blockGroups: [BlockGroup]

  /// The report of a layout.
  public init(_ layout: Layout) {
    fsid = layout.fsid
    mountpoint = layout.mountpoint
    totalBytes = layout.totalBytes
    unallocatedBytes = layout.unallocatedBytes
    allocatedBytes = totalBytes - unallocatedBytes
    devices = layout.devices
    deviceSpace = DeviceSpaceReport(layout)
    spaceInfo = layout.spaceInfo
    let counts = layout.blockGroups.reduce(into: [:]) { $0[$1.type, default: 0] += 1 }
    blockGroupCounts = counts
    profileShares = ProfileShare.of(layout.blockGroups)
    histograms = BlockGroupType.allCases.filter { counts[$0] != nil }.map {
      UsageHistogram(type: $0, blockGroups: layout.blockGroups)
    }
    blockGroups = layout.blockGroups
  }

  private enum CodingKeys: String, CodingKey {
    case fsid, mountpoint, totalBytes, allocatedBytes, unallocatedBytes, devices, deviceSpace
    case spaceInfo, blockGroupCounts, profileShares, histograms, blockGroups
  }

  /// A block group as `usage --json` writes it: the layout file's fields (flags as the kernel's
  /// bits) and its type and profile in words, as plans name them.
  private struct DescribedBlockGroup: Encodable {
    var group: BlockGroup

    private enum CodingKeys: String, CodingKey { case type, profile }

    func encode(to encoder: any Encoder) throws {
      try group.encode(to: encoder)
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(group.type, forKey: .type)
      try container.encode(group.profile, forKey: .profile)
    }
  }

  /// Encodes every field, the block groups with their type and profile in words; decoding reads
  /// the same object (and ignores those two words, which the flags already say).
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(fsid, forKey: .fsid)
    try container.encodeIfPresent(mountpoint, forKey: .mountpoint)
    try container.encode(totalBytes, forKey: .totalBytes)
    try container.encode(allocatedBytes, forKey: .allocatedBytes)
    try container.encode(unallocatedBytes, forKey: .unallocatedBytes)
    try container.encode(devices, forKey: .devices)
    try container.encode(deviceSpace, forKey: .deviceSpace)
    try container.encode(spaceInfo, forKey: .spaceInfo)
    try container.encode(blockGroupCounts, forKey: .blockGroupCounts)
    try container.encode(profileShares, forKey: .profileShares)
    try container.encode(histograms, forKey: .histograms)
    try container.encode(blockGroups.map(DescribedBlockGroup.init), forKey: .blockGroups)
  }

  /// The report for a person: space table, totals and histograms.
  public func rendered() -> String {
    var lines = ["Filesystem \(fsid)" + (mountpoint.map { " on \($0)" } ?? "")]
    lines.append(
      "  Device size \(ByteCount(totalBytes)), allocated \(ByteCount(allocatedBytes)), unallocated \(ByteCount(unallocatedBytes)) (\(percent(unallocatedBytes, of: totalBytes)))"
    )
    lines.append("")
    lines.append(contentsOf: deviceSpace.rendered())
    lines.append(contentsOf: ProfileShare.rendered(profileShares))
    lines.append("")
    lines.append("  Space                      Total        Used")
    for entry in spaceInfo {
      lines.append(
        "  "
          + entry.label.padding(toLength: 22, withPad: " ", startingAt: 0)
          + ByteCount(entry.total).description.leftPadded(to: 11)
          + ByteCount(entry.used).description.leftPadded(to: 12))
    }
    for histogram in histograms {
      lines.append("")
      guard histogram.type == .data || histogram.type == .mixed else {
        // Metadata and system rarely need balancing: one line says enough.
        let filled = histogram.buckets.enumerated().filter { $0.element > 0 }
          .map { "\($0.offset * 10)-\($0.offset * 10 + 10)%: \($0.element)" }
        lines.append(
          "  \(histogram.type.displayName) block groups: \(histogram.total) (\(filled.joined(separator: ", ")))"
        )
        continue
      }
      lines.append("  \(histogram.type.displayName) block groups: \(histogram.total), by usage:")
      lines.append(contentsOf: histogram.rendered())
    }
    return lines.joined(separator: "\n")
  }

  private func percent(_ part: UInt64, of whole: UInt64) -> String {
    whole == 0 ? "0%" : "\(Int((Double(part) * 100 / Double(whole)).rounded()))%"
  }
}

extension String {
  /// The string right-aligned in a field of `width` characters.
  func leftPadded(to width: Int) -> String {
    count >= width ? self : String(repeating: " ", count: width - count) + self
  }
}
