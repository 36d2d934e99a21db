import Btrfs

/// The block groups of one type and profile, in ascending logical address, with the bytes they hold.
/// Relocated bytes fill a pool's groups from its lowest address up, so the pool remembers where its
/// first group with free space is: every member before ``cursor`` is gone or full.
struct Pool {
  /// The type and profile bits every member has.
  let key: BlockGroupFlags
  /// Indices into ``SimulatedSpace/groups``, ascending.
  var members: [Int] = []
  /// Members before this position are gone or full.
  var cursor = 0
  /// Bytes allocated to live members.
  private(set) var total: UInt64 = 0
  /// Bytes used in live members.
  private(set) var used: UInt64 = 0
  /// ``total`` and ``used`` when the model started, to carry space info forward as deltas.
  private(set) var initialTotal: UInt64 = 0
  private(set) var initialUsed: UInt64 = 0
  /// The longest member the pool ever had.
  private(set) var largestLength: UInt64 = 0
  /// How many members are alive.
  private(set) var liveCount = 0

  init(key: BlockGroupFlags) {
    self.key = key
  }

  /// The pool key of block-group flags: the type and profile bits only.
  static func key(_ flags: BlockGroupFlags) -> BlockGroupFlags {
    flags.intersection(keyMask)
  }

  private static let keyMask = BlockGroupFlags.typeMask.union(.profileMask)

  /// Free bytes in live members.
  var free: UInt64 { total - used }

  mutating func add(_ index: Int, _ group: BlockGroup) {
    members.append(index)
    total += group.length
    used += group.used
    largestLength = max(largestLength, group.length)
    liveCount += 1
  }

  mutating func markInitial() {
    initialTotal = total
    initialUsed = used
  }

  mutating func filled(_ bytes: UInt64) { used += bytes }

  mutating func remove(_ group: BlockGroup) {
    total -= group.length
    used -= group.used
    liveCount -= 1
  }
}
