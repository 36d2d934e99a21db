import Testing

@testable import Steward

@Suite("Radix sort")
struct RadixSortTests {
  private struct Item: Equatable {
    var key: UInt64
    var position: Int
  }

  @Test(
    "sorts by key like a stable comparison sort, whatever bits the keys use",
    arguments: [UInt64(0), 1, 0xFF, 0xFFFF_FFFF, UInt64.max])
  func matchesStableSort(keyMask: UInt64) {
    var generator = SplitMix64(seed: keyMask)
    for count in [0, 1, 2, 17, 5_000] {
      // Few distinct keys under narrow masks: many ties, whose order must be kept.
      let items = (0..<count).map { Item(key: generator.next() & keyMask, position: $0) }
      var sorted = items
      sorted.radixSort(by: \.key)
      let expected = items.sorted { ($0.key, $0.position) < ($1.key, $1.position) }
      #expect(sorted == expected, "\(count) keys under mask \(keyMask)")
    }
  }

  @Test("keys that differ only in their high bits")
  func highBits() {
    let top: UInt64 = 1 << 63
    let keys: [UInt64] = [.max, top, top + 1, 1 << 40, 0]
    var items = keys.enumerated().map { Item(key: $0.element, position: $0.offset) }
    items.radixSort(by: \.key)
    let expected: [UInt64] = [0, 1 << 40, top, top + 1, .max]
    #expect(items.map(\.key) == expected)
  }
}
