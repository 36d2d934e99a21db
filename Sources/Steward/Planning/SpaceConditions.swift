import Btrfs

extension Trigger {
  /// Whether the trigger holds with `unallocated` bytes free on a filesystem of `totalBytes`, and why
  /// in words: `unallocated 3.00GiB is below 10% (5.00GiB)`.
  func evaluate(unallocated: UInt64, totalBytes: UInt64) -> (holds: Bool, reason: String) {
    switch self {
    case .unallocatedBelow(let amount):
      let threshold = amount.bytes(ofTotal: totalBytes)
      let holds = unallocated < threshold
      return (
        holds,
        "unallocated \(ByteCount(unallocated)) is \(holds ? "" : "not ")below "
          + amount.explained(threshold)
      )
    }
  }
}

extension Goal {
  /// Whether the goal holds with `unallocated` bytes free on a filesystem of `totalBytes`, as
  /// ``evaluate(unallocated:totalBytes:)`` says, without putting the reason in words.
  func holds(unallocated: UInt64, totalBytes: UInt64) -> Bool {
    switch self {
    case .unallocatedAbove(let amount): unallocated >= amount.bytes(ofTotal: totalBytes)
    }
  }

  /// Whether the goal holds with `unallocated` bytes free on a filesystem of `totalBytes`, and why
  /// in words: `unallocated 12.00GiB is at least 20% (10.00GiB)`.
  func evaluate(unallocated: UInt64, totalBytes: UInt64) -> (holds: Bool, reason: String) {
    switch self {
    case .unallocatedAbove(let amount):
      let threshold = amount.bytes(ofTotal: totalBytes)
      let holds = unallocated >= threshold
      return (
        holds,
        "unallocated \(ByteCount(unallocated)) is \(holds ? "at least" : "below") "
          + amount.explained(threshold)
      )
    }
  }
}

extension SpaceAmount {
  /// The amount as written, with its size in bytes when it is a percentage: `10% (5.00GiB)`.
  func explained(_ bytes: UInt64) -> String {
    switch self {
    case .bytes: description
    case .percent: "\(description) (\(ByteCount(bytes)))"
    }
  }
}
