import CBtrfs
import Testing

@testable import Btrfs

@Suite("Balance arguments in the kernel's layout")
struct KernelArgumentsTests {
  @Test("every filter survives the trip through btrfs_ioctl_balance_args")
  func roundTrip() {
    let arguments = BalanceArguments(
      data: BalanceFilter(
        profiles: [.single, .raid1], usage: .range(10...60), devid: 2,
        physicalRange: 4096..<8192, virtualRange: 100..<200, limit: .range(1...3),
        stripes: 1...2, convert: .raid1, soft: true),
      metadata: BalanceFilter(usage: .below(5), limit: .count(7), convert: .single),
      force: true)
    let kernel = arguments.kernelArguments()
    #expect(kernel.flags & UInt64(BTRFS_BALANCE_DATA) != 0)
    #expect(kernel.flags & UInt64(BTRFS_BALANCE_METADATA) != 0)
    #expect(kernel.flags & UInt64(BTRFS_BALANCE_SYSTEM) == 0)
    #expect(kernel.flags & UInt64(BTRFS_BALANCE_FORCE) != 0)
    #expect(kernel.data.flags & UInt64(BTRFS_BALANCE_ARGS_VRANGE) != 0)
    #expect(kernel.data.vstart == 100 && kernel.data.vend == 200)
    #expect(BalanceArguments(kernel: kernel) == arguments)
  }

  @Test("resume carries only the RESUME flag")
  func resumeFlag() {
    let kernel = BalanceArguments().kernelArguments(extraFlags: UInt64(BTRFS_BALANCE_RESUME))
    #expect(kernel.flags == UInt64(BTRFS_BALANCE_RESUME))
  }
}
