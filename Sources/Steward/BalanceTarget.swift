import Btrfs

/// The seam between the scheduler and a filesystem. The planner and the executor see a filesystem only
/// through this protocol; the kernel implementation drives the real ioctls, the simulated one an
/// in-memory model (for plan predictions, offline planning and fast tests).
public protocol BalanceTarget: AnyObject, Sendable {
  /// A fresh snapshot of the layout.
  func layout() throws(BtrfsError) -> Layout
  /// A fresh snapshot of the layout with what planning needs beyond it: the extents of data block
  /// groups (``Layout/extents``), where the target can read them.
  func planningLayout() throws(BtrfsError) -> Layout
  /// The block group at exactly this logical address, re-read now, or `nil` when there is none.
  func blockGroup(at vaddr: UInt64) throws(BtrfsError) -> BlockGroup?
  /// The chunk at exactly this logical address, re-read now, or `nil` when there is none.
  func chunk(at vaddr: UInt64) throws(BtrfsError) -> Chunk?
  /// The devices, re-read now: their sizes and allocated bytes, from which unallocated space is
  /// counted. The executor reads these, not the whole layout, around each operation.
  func devices() throws(BtrfsError) -> [DeviceInfo]
  /// Starts a balance and blocks until it ends (like the BALANCE_V2 ioctl).
  func startBalance(_ arguments: BalanceArguments) throws(BtrfsError) -> BalanceOutcome
  /// Resumes a paused balance and blocks until it ends.
  func resumeBalance() throws(BtrfsError) -> BalanceOutcome
  /// The current balance's state, or `nil` when there is no balance.
  func balanceProgress() throws(BtrfsError) -> BalanceProgress?
  /// Asks the running balance to pause after the block group in flight; returns once the kernel has
  /// acknowledged (the blocked start then returns ``BalanceOutcome/paused(_:)``).
  func pauseBalance() throws(BtrfsError)
  /// Asks the running or paused balance to stop for good.
  func cancelBalance() throws(BtrfsError)
  /// The exclusive operation the filesystem is busy with.
  func exclusiveOperation() throws(BtrfsError) -> ExclusiveOperation
}

extension BalanceTarget {
  /// The plain layout: a target that cannot read extents plans by bytes.
  public func planningLayout() throws(BtrfsError) -> Layout { try layout() }
  /// The chunk, from a fresh snapshot of the layout.
  public func chunk(at vaddr: UInt64) throws(BtrfsError) -> Chunk? { try layout().chunk(at: vaddr) }
  /// The devices, from a fresh snapshot of the layout.
  public func devices() throws(BtrfsError) -> [DeviceInfo] { try layout().devices }
}
