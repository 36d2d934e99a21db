import Btrfs

/// The block groups a rule selected, in the rule's order. Relocations fill other block groups, so a
/// candidate's usage can rise after it was queued: it is then queued again under its new place, or
/// dropped once it no longer matches (as python-btrfs's least-used balance postpones and drops).
struct CandidateQueue {
  private struct Candidate: Comparable {
    var key: UInt64
    var index: Int

    static func < (lhs: Self, rhs: Self) -> Bool {
      (lhs.key, lhs.index) < (rhs.key, rhs.index)
    }
  }

  private let selection: Selection
  private let order: Order
  /// The candidates as the rule started, sorted; those before ``position`` have been taken.
  private var sorted: [Candidate]
  private var position = 0
  /// Candidates queued again under a new key. Every block group is queued at most once at a time,
  /// so (key, index) pairs are unique and taking the smaller head of the two gives the same order
  /// as one heap would, at a sort's cost instead of a heap's cache misses per candidate.
  private var requeued = MinHeap<Candidate>()
  /// How many block groups matched when the rule started.
  let matched: Int
  /// The block groups dropped because data relocated into them filled them past the selection, in
  /// the order they were dropped.
  private(set) var outgrown: [Int] = []

  /// The block groups of the original layout that `selection` matches now in `space`.
  init(_ selection: Selection, order: Order, in space: SimulatedSpace) {
    self.selection = selection
    self.order = order
    var candidates: [Candidate] = []
    for index in space.base.blockGroups.indices where space.isAlive[index] {
      let group = space.groups[index]
      if selection.matches(group, chunk: { space.chunk(index) }) {
        candidates.append(Candidate(key: Self.key(group, order), index: index))
      }
    }
    matched = candidates.count
    // Candidates are gathered in ascending index, and a stable sort by key keeps that order among
    // equal keys: sorted by (key, index). By `.vaddr` every key is 0: they are already in order.
    if order != .vaddr { candidates.radixSort(by: \.key) }
    sorted = candidates
  }

  /// The sort key of `group` under `order` (smaller first; ties go to the lower address).
  private static func key(_ group: BlockGroup, _ order: Order) -> UInt64 {
    switch order {
    case .leastUsedFirst: group.used
    case .mostFreeFirst: UInt64.max - group.free
    case .vaddr: 0
    }
  }

  /// The index of the next block group to relocate, or `nil` when none is left.
  mutating func next(in space: SimulatedSpace) -> Int? {
    while let candidate = popSmallest() {
      guard space.isAlive[candidate.index] else { continue }
      let group = space.groups[candidate.index]
      guard selection.accepts(usageOf: group) else {
        outgrown.append(candidate.index)
        continue
      }
      let key = Self.key(group, order)
      guard key == candidate.key else {
        requeued.push(Candidate(key: key, index: candidate.index))
        continue
      }
      return candidate.index
    }
    return nil
  }

  /// Removes and returns the smallest candidate left.
  private mutating func popSmallest() -> Candidate? {
    guard position < sorted.count else { return requeued.pop() }
    if let head = requeued.first, head < sorted[position] { return requeued.pop() }
    position += 1
    return sorted[position - 1]
  }
}
