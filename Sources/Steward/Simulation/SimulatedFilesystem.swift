import Btrfs
import Foundation
import Synchronization

/// A filesystem that exists only in memory: a ``BalanceTarget`` over a ``Layout`` whose balances move
/// used bytes the way the kernel does to first order (see ``startBalance(_:)``). It powers `plan`'s
/// predictions, planning from a saved layout, and fast tests of the executor.
///
/// A balance runs on the calling thread and relocates its block groups one at a time; before each
/// block group and after the last it honours a pause or cancel asked for from another thread, as the
/// kernel does. All state sits behind one lock, so every method may be called from any thread.
public final class SimulatedFilesystem: BalanceTarget {
  /// The name errors use for this filesystem: the layout's mountpoint, or `simulated:<fsid>`.
  public let path: String
  /// Called on the balancing thread, with no lock held, just before each block group is relocated:
  /// a test can ask for a pause there and know exactly which block group is in flight.
  private let willRelocate: (@Sendable (BlockGroup) -> Void)?
  /// Whether a cancel asked for while a block group is relocated (from `willRelocate`) abandons
  /// that block group, as the kernel does (it checks for a cancel after every extent it moves).
  private let cancelsWithinBlockGroup: Bool
  private let state: Mutex<State>

  private struct State {
    var space: SimulatedSpace
    var balance: SimulatedBalance?
  }

  /// A simulated filesystem in the state `layout` describes.
  ///
  /// - Parameters:
  ///   - willRelocate: called on the balancing thread, with no lock held, just before each block
  ///     group of a balance is relocated.
  ///   - cancelsWithinBlockGroup: whether a cancel asked for from `willRelocate` abandons the block
  ///     group, unmoved, as the kernel's does; otherwise it lands after the block group.
  /// - Throws: ``LayoutError`` when the layout contradicts itself.
  public init(
    layout: Layout, willRelocate: (@Sendable (BlockGroup) -> Void)? = nil,
    cancelsWithinBlockGroup: Bool = false
  ) throws(LayoutError) {
    try layout.validate()
    path = layout.mountpoint ?? "simulated:\(layout.fsid)"
    self.willRelocate = willRelocate
    self.cancelsWithinBlockGroup = cancelsWithinBlockGroup
    state = Mutex(State(space: SimulatedSpace(layout: layout)))
  }

  /// The layout as it is now.
  public var currentLayout: Layout { state.withLock { $0.space.layout } }

  public func layout() throws(BtrfsError) -> Layout { currentLayout }

  public func blockGroup(at vaddr: UInt64) throws(BtrfsError) -> BlockGroup? {
    state.withLock { $0.space.blockGroup(at: vaddr) }
  }

  /// Relocates every block group `arguments` select, in ascending logical address. Each one's used
  /// bytes fill the other block groups of its type and profile (never those of this balance) from
  /// the lowest address up; when they are full, new chunks are allocated from the devices with the
  /// most unallocated space. The block group then disappears and its device space is unallocated.
  ///
  /// - Throws: ``BtrfsError/balanceInProgress(path:)`` when a balance runs or is paused;
  ///   ``BtrfsError/noSpace(path:)`` at the end when some block group did not fit (it stays, the
  ///   others are relocated, as the kernel does).
  public func startBalance(_ arguments: BalanceArguments) throws(BtrfsError) -> BalanceOutcome {
    try state.withLock { (state) throws(BtrfsError) in
      guard state.balance == nil else { throw .balanceInProgress(path: path) }
      state.balance = SimulatedBalance(arguments: arguments)
    }
    return try run()
  }

  public func resumeBalance() throws(BtrfsError) -> BalanceOutcome {
    try state.withLock { (state) throws(BtrfsError) in
      guard let balance = state.balance else { throw .noBalance(path: path) }
      guard !balance.isRunning else { throw .balanceInProgress(path: path) }
      state.balance = SimulatedBalance(arguments: balance.arguments)
    }
    return try run()
  }

  public func balanceProgress() throws(BtrfsError) -> BalanceProgress? {
    state.withLock { $0.balance?.progress }
  }

  /// Asks the running balance to pause after the block group in flight, and waits until it has.
  ///
  /// - Throws: ``BtrfsError/noBalance(path:)`` when no balance runs (a paused one included).
  public func pauseBalance() throws(BtrfsError) {
    try state.withLock { (state) throws(BtrfsError) in
      guard state.balance?.isRunning == true else { throw .noBalance(path: path) }
      state.balance?.isPauseRequested = true
    }
    waitUntil { $0.balance?.isRunning != true }
  }

  /// Cancels a paused balance at once, or asks a running one to stop after the block group in flight
  /// and waits until it has.
  public func cancelBalance() throws(BtrfsError) {
    let running = try state.withLock { (state) throws(BtrfsError) -> Bool in
      guard let balance = state.balance else { throw .noBalance(path: path) }
      if balance.isRunning {
        state.balance?.isCancelRequested = true
      } else {
        state.balance = nil
      }
      return balance.isRunning
    }
    if running { waitUntil { $0.balance == nil } }
  }

  public func exclusiveOperation() throws(BtrfsError) -> ExclusiveOperation {
    state.withLock { state in
      switch state.balance?.isRunning {
      case true?: .balance
      case false?: .balancePaused
      case nil: ExclusiveOperation.none
      }
    }
  }

  /// Runs the balance in the state, one block group at a time, until it is done, paused or cancelled.
  private func run() throws(BtrfsError) -> BalanceOutcome {
    let (targets, initialBatch) = state.withLock { state in
      let targets = state.space.selection(state.balance!.arguments)
      state.balance?.statistics.expected = UInt64(targets.count)
      return (targets, RelocationBatch(targets.map(\.index), in: state.space))
    }
    var batch = initialBatch
    var ranOutOfSpace = false
    for target in targets {
      let step = state.withLock { state -> Step in
        if let stop = Self.honourStopRequest(&state) { return .stop(stop) }
        return .relocate(state.space.groups[target.index])
      }
      let group: BlockGroup
      switch step {
      case .relocate(let next): group = next
      case .stop(let outcome): return outcome
      }
      willRelocate?(group)
      let abandoned = state.withLock { state -> BalanceOutcome? in
        guard cancelsWithinBlockGroup, let balance = state.balance, balance.isCancelRequested
        else { return nil }
        state.balance = nil
        return .cancelled(balance.statistics)
      }
      if let abandoned { return abandoned }
      state.withLock { state in
        state.balance?.statistics.considered += 1
        do {
          try state.space.relocate(target.index, to: target.profile, in: &batch)
          state.balance?.statistics.completed += 1
        } catch {
          ranOutOfSpace = true
        }
      }
    }
    // The kernel walks the whole chunk tree and checks for a pause or cancel at every chunk, so a
    // request that arrives while the last selected block group is relocated still stops the
    // balance, with that block group done.
    let end = state.withLock { state -> BalanceOutcome in
      if let stop = Self.honourStopRequest(&state) { return stop }
      defer { state.balance = nil }
      return .completed(state.balance!.statistics)
    }
    // As in the kernel, a pause or cancel outranks the block groups that did not fit.
    if case .completed = end, ranOutOfSpace { throw .noSpace(path: path) }
    return end
  }

  /// Pauses or cancels the balance in `state` when that was asked for, and returns the outcome.
  private static func honourStopRequest(_ state: inout State) -> BalanceOutcome? {
    let balance = state.balance!
    if balance.isCancelRequested {
      state.balance = nil
      return .cancelled(balance.statistics)
    }
    if balance.isPauseRequested {
      state.balance?.isRunning = false
      state.balance?.isPauseRequested = false
      return .paused(balance.statistics)
    }
    return nil
  }

  /// What a balance does next, decided under the lock between two block groups.
  private enum Step {
    case relocate(BlockGroup)
    case stop(BalanceOutcome)
  }

  /// Blocks until `condition` holds for the state, checking every millisecond.
  private func waitUntil(_ condition: (State) -> Bool) {
    while !state.withLock({ condition($0) }) {
      Thread.sleep(forTimeInterval: 0.001)
    }
  }
}
