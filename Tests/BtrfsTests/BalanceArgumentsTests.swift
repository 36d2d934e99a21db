import Btrfs
import Testing

@Suite("Balance arguments")
struct BalanceArgumentsTests {
  @Test("one block group is selected by a vrange over its first byte, on its own type")
  func relocatingOne() {
    let data = BlockGroup(vaddr: 1 << 30, length: 1 << 30, used: 1, flags: .data)
    #expect(
      BalanceArguments.relocating(data)
        == BalanceArguments(data: BalanceFilter(virtualRange: (1 << 30)..<((1 << 30) + 1))))
    let system = BlockGroup(
      vaddr: 4096, length: 1 << 20, used: 1, flags: BlockGroupFlags(type: .system, profile: .dup))
    let arguments = BalanceArguments.relocating(system)
    #expect(arguments.system != nil && arguments.data == nil && arguments.force)
    let mixed = BlockGroup(vaddr: 8192, length: 1 << 20, used: 1, flags: [.data, .metadata])
    #expect(BalanceArguments.relocating(mixed).data == BalanceArguments.relocating(mixed).metadata)
  }

  @Test("filters print in btrfs balance's filter language")
  func filterLanguage() {
    let filter = BalanceFilter(
      profiles: [.raid1, .single], usage: .range(10...60), devid: 2, virtualRange: 100..<200,
      limit: .count(5), stripes: 1...2, convert: .raid1, soft: true)
    #expect(
      filter.description
        == "profiles=raid1|single,usage=10..60,devid=2,vrange=100..200,limit=5,stripes=1..2,convert=raid1,soft"
    )
    #expect(BalanceFilter(usage: .below(5)).description == "usage=5")
  }

  @Test("exclusive operations are read from their sysfs text")
  func exclusiveOperations() {
    #expect(ExclusiveOperation(sysfsText: "none") == .none)
    #expect(ExclusiveOperation(sysfsText: "balance paused") == .balancePaused)
    #expect(ExclusiveOperation(sysfsText: "device replace") == .deviceReplace)
    #expect(ExclusiveOperation(sysfsText: "balance").isBalance)
    #expect(ExclusiveOperation(sysfsText: "something new") == .other("something new"))
    #expect(ExclusiveOperation.swapActivate.description == "swap activate")
  }
}
