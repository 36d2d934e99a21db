import Btrfs
import Testing

@Suite("Tree keys")
struct TreeKeyTests {
  @Test("keys order by objectid, then type, then offset")
  func ordering() {
    let extent = TreeKey(objectid: 100, type: 168, offset: 4096)
    let blockGroup = TreeKey(objectid: 100, type: 192, offset: 1 << 30)
    let next = TreeKey(objectid: 101, type: 0, offset: 0)
    #expect(extent < blockGroup)
    #expect(blockGroup < next)
  }

  @Test("the successor carries across offset, type and objectid, and ends at the largest key")
  func successor() {
    #expect(
      TreeKey(objectid: 5, type: 1, offset: 7).successor
        == TreeKey(objectid: 5, type: 1, offset: 8))
    #expect(
      TreeKey(objectid: 5, type: 1, offset: .max).successor
        == TreeKey(objectid: 5, type: 2, offset: 0))
    #expect(
      TreeKey(objectid: 5, type: .max, offset: .max).successor
        == TreeKey(objectid: 6, type: 0, offset: 0))
    #expect(TreeKey.max.successor == nil)
  }
}
