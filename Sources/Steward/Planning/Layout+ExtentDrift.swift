import Btrfs

extension Layout {
  /// How far a layout's extents and its block groups' used bytes disagree. On a mounted filesystem
  /// that is being written they often do: a block-group item's used bytes change only when a
  /// transaction commits, while the extent items read beside it change whenever the kernel runs
  /// its delayed references, so a read in between finds block groups whose extents add up to more
  /// or less than their items say. The model then takes the extents (``SimulatedSpace``).
  struct ExtentDrift: Equatable, Sendable {
    /// Data and mixed block groups whose extents do not add up to their used bytes.
    var blockGroups: Int
    /// What the extents of those block groups add up to.
    var extentBytes: UInt64
    /// What their block-group items say they use.
    var usedBytes: UInt64
  }

  /// The disagreement between extents and used bytes of this layout, which must be valid (see
  /// ``validate()``); `nil` when they agree or the layout has no extents.
  var extentDrift: ExtentDrift? {
    guard let extents else { return nil }
    var extentBytes: [UInt64: UInt64] = [:]
    for entry in extents { extentBytes[entry.vaddr] = entry.usedBytes }
    var drift = ExtentDrift(blockGroups: 0, extentBytes: 0, usedBytes: 0)
    for group in blockGroups {
      guard let bytes = extentBytes[group.vaddr], bytes != group.used else { continue }
      drift.blockGroups += 1
      drift.extentBytes += bytes
      drift.usedBytes += group.used
    }
    return drift.blockGroups > 0 ? drift : nil
  }
}
