import Foundation
import Testing

@testable import Btrfs

@Suite("Values that share one array: block groups' extents and chunks' stripes")
struct SharedStorageTests {
  typealias Extent = BlockGroupExtents.Extent

  /// Two data block groups around a metadata one, and extents of all three in one array.
  static let groups = [
    BlockGroup(vaddr: 1 << 20, length: 1 << 20, used: 0, flags: [.data]),
    BlockGroup(vaddr: 2 << 20, length: 1 << 20, used: 0, flags: [.metadata]),
    BlockGroup(vaddr: 3 << 20, length: 1 << 20, used: 0, flags: [.data]),
  ]
  static let storage = [
    Extent(start: 1 << 20, length: 4096), Extent(start: (1 << 20) + 8192, length: 4096),
    Extent(start: 2 << 20, length: 16384),
    Extent(start: 3 << 20, length: 65536),
  ]

  @Test("each data block group sees its own extents of the shared array, as if it owned them")
  func dataGroupsShare() {
    let extents = BlockGroupExtents.dataGroups(of: Self.groups, sharing: Self.storage)
    #expect(extents.map(\.vaddr) == [1 << 20, 3 << 20])
    #expect(extents.map(\.count) == [2, 1])
    #expect(extents[1][0] == Extent(start: 3 << 20, length: 65536))
    #expect(
      extents[0]
        == BlockGroupExtents(
          vaddr: 1 << 20, starts: [1 << 20, (1 << 20) + 8192], lengths: [4096, 4096]))
    #expect(extents[0].hashValue == BlockGroupExtents(extents[0]).hashValue)
    #expect(extents[0].usedBytes == 8192)
    #expect(
      extents[0].holes(length: 1 << 20).map(\.start) == [(1 << 20) + 4096, (1 << 20) + 12288])
  }

  @Test(
    "extents code as an address with parallel starts and lengths, and mismatched lists are refused")
  func extentsCoding() throws {
    let extents = BlockGroupExtents.dataGroups(of: Self.groups, sharing: Self.storage)[0]
    let json = try JSONEncoder().encode(extents)
    let object = try #require(JSONSerialization.jsonObject(with: json) as? [String: Any])
    #expect(object["starts"] as? [UInt64] == [1 << 20, (1 << 20) + 8192])
    #expect(object["lengths"] as? [UInt64] == [4096, 4096])
    #expect(try JSONDecoder().decode(BlockGroupExtents.self, from: json) == extents)
    let mismatched = Data(#"{"vaddr": 0, "starts": [0, 4096], "lengths": [4096]}"#.utf8)
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(BlockGroupExtents.self, from: mismatched)
    }
  }

  @Test("a changed share copies, leaving the values it shared with as they were")
  func changeCopies() throws {
    let shared = [
      Chunk.Stripe(devid: 1, offset: 0), Chunk.Stripe(devid: 2, offset: 0),
      Chunk.Stripe(devid: 1, offset: 1 << 30),
    ]
    let first = SharedSlice(sharing: shared, range: 0..<2)
    var second = SharedSlice(sharing: shared, range: 2..<3)
    #expect(second.startIndex == 0 && second[0] == shared[2])
    second.append(shared[0])
    #expect(Array(second) == [shared[2], shared[0]])
    #expect(Array(first) == Array(shared[0..<2]))
    #expect(first == [shared[0], shared[1]])
    let json = try JSONEncoder().encode(first)
    #expect(try JSONDecoder().decode([Chunk.Stripe].self, from: json) == Array(first))
  }
}

extension BlockGroupExtents {
  /// A copy that owns its extents.
  fileprivate init(_ other: BlockGroupExtents) {
    self.init(vaddr: other.vaddr, starts: other.map(\.start), lengths: other.map(\.length))
  }
}
