import Btrfs

/// The real filesystem behind the seam: every call goes to the kernel through ``FileSystem``.
public final class KernelTarget: BalanceTarget {
  /// The open filesystem.
  public let fileSystem: FileSystem
  /// Its UUID.
  public let fsid: String
  /// Its sysfs facts.
  public let sysfs: SysfsFacts

  /// The kernel target for the filesystem that `path` is on.
  public init(path: String) throws(BtrfsError) {
    fileSystem = try FileSystem(path: path)
    fsid = try fileSystem.info().fsid
    sysfs = SysfsFacts(fsid: fsid)
  }

  public func layout() throws(BtrfsError) -> Layout { try fileSystem.layout() }
  public func planningLayout() throws(BtrfsError) -> Layout { try fileSystem.detailedLayout() }
  public func blockGroup(at vaddr: UInt64) throws(BtrfsError) -> BlockGroup? {
    try fileSystem.blockGroup(at: vaddr)
  }
  public func chunk(at vaddr: UInt64) throws(BtrfsError) -> Chunk? {
    try fileSystem.chunk(at: vaddr)
  }
  public func devices() throws(BtrfsError) -> [DeviceInfo] { try fileSystem.devices() }
  public func startBalance(_ arguments: BalanceArguments) throws(BtrfsError) -> BalanceOutcome {
    try fileSystem.startBalance(arguments)
  }
  public func resumeBalance() throws(BtrfsError) -> BalanceOutcome {
    try fileSystem.resumeBalance()
  }
  public func balanceProgress() throws(BtrfsError) -> BalanceProgress? {
    try fileSystem.balanceProgress()
  }
  public func pauseBalance() throws(BtrfsError) { try fileSystem.pauseBalance() }
  public func cancelBalance() throws(BtrfsError) { try fileSystem.cancelBalance() }
  public func exclusiveOperation() throws(BtrfsError) -> ExclusiveOperation {
    try sysfs.exclusiveOperation()
  }
}
