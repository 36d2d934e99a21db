import Btrfs

extension Selection {
  /// Whether a block group of `type` is of the selected type; mixed block groups count as data.
  func selects(_ type: BlockGroupType) -> Bool {
    type == self.type || (self.type == .data && type == .mixed)
  }

  /// Whether `group`, whose chunk is `chunk`, passes every criterion.
  func matches(_ group: BlockGroup, chunk: () -> Chunk) -> Bool {
    guard selects(group.type), accepts(usageOf: group) else { return false }
    if let profiles, !profiles.contains(group.profile) { return false }
    guard devices != nil || stripes != nil || deviceRange != nil else { return true }
    let chunk = chunk()
    if let devices, !chunk.stripes.contains(where: { devices.contains($0.devid) }) {
      return false
    }
    if let stripes, !stripes.contains(chunk.stripes.count) { return false }
    if let deviceRange {
      // As the kernel's `drange` filter: a stripe on the device overlapping the range.
      let length = chunk.stripeLength
      guard
        chunk.stripes.contains(where: {
          $0.devid == deviceRange.devid && deviceRange.overlaps(offset: $0.offset, length: length)
        })
      else { return false }
    }
    return true
  }

  /// Whether `group`'s usage lies within the selection's bounds.
  func accepts(usageOf group: BlockGroup) -> Bool {
    let usage = group.usagePercent
    if let usageAtLeast, usage < usageAtLeast { return false }
    if let usageBelow, usage >= usageBelow { return false }
    return true
  }
}
