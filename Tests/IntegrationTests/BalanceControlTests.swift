import Btrfs
import Foundation
import Testing

@Suite(
  "Driving balance on a real btrfs filesystem", .serialized,
  .enabled(if: IntegrationEnvironment.shouldRun))
struct BalanceControlTests {
  @Test("a vrange balance relocates exactly the targeted block group")
  func relocatesExactlyOne() throws {
    try withScratchFilesystem { scratch in
      try scratch.fragment(fileCount: 40, fileSize: 8 << 20, seed: 11)
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      let before = try fileSystem.layout()
      let data = before.blockGroups.filter { $0.type == .data && $0.used > 0 }
      try #require(data.count >= 2)
      let target = data.min { $0.used < $1.used }!
      let outcome = try fileSystem.startBalance(.relocating(target))
      #expect(
        outcome
          == .completed(
            BalanceStatistics(expected: 1, considered: outcome.statistics.considered, completed: 1))
      )
      let after = try fileSystem.layout()
      #expect(after.blockGroup(at: target.vaddr) == nil)
      // Every other block group is still there; only new ones (the relocation target) were added.
      let untouched = before.blockGroups.filter { $0.vaddr != target.vaddr }.map(\.vaddr)
      #expect(Set(untouched).isSubset(of: Set(after.blockGroups.map(\.vaddr))))
      #expect(after.blockGroups.filter { $0.vaddr > before.blockGroups.last!.vaddr }.count <= 1)
      #expect(try fileSystem.balanceProgress() == nil)
    }
  }

  @Test("pause and cancel from a second thread; progress counters move")
  func pauseResumeCancel() throws {
    try withScratchFilesystem(size: "3G") { scratch in
      try scratch.fragment(fileCount: 60, fileSize: 16 << 20, seed: 5)
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      let everyData = BalanceArguments(data: BalanceFilter())

      let started = runInBackground { try fileSystem.startBalance(everyData) }
      let running = try waitForProgress(fileSystem) { $0.isRunning && $0.statistics.expected > 1 }
      #expect(running.arguments.data == BalanceFilter())
      try fileSystem.pauseBalance()
      let pausedOutcome = try started.value()
      guard case .paused = pausedOutcome else {
        Issue.record("expected paused, got \(pausedOutcome)")
        return
      }
      let paused = try #require(try fileSystem.balanceProgress())
      #expect(paused.isPaused)
      #expect(try fileSystem.sysfs().exclusiveOperation() == .balancePaused)
      #expect(throws: BtrfsError.balanceInProgress(path: scratch.mountpoint)) {
        try fileSystem.startBalance(everyData)
      }

      let resumed = runInBackground { try fileSystem.resumeBalance() }
      let first = try waitForProgress(fileSystem) { $0.isRunning }
      let later = try waitForProgress(fileSystem) {
        $0.isRunning && $0.statistics.considered > first.statistics.considered
      }
      #expect(later.statistics.considered > first.statistics.considered)
      try fileSystem.cancelBalance()
      guard case .cancelled = try resumed.value() else {
        Issue.record("expected cancelled")
        return
      }
      #expect(try fileSystem.balanceProgress() == nil)
      #expect(try fileSystem.sysfs().exclusiveOperation() == ExclusiveOperation.none)
      #expect(throws: BtrfsError.noBalance(path: scratch.mountpoint)) {
        try fileSystem.resumeBalance()
      }
      #expect(throws: BtrfsError.noBalance(path: scratch.mountpoint)) {
        try fileSystem.pauseBalance()
      }
    }
  }
}

/// A value computed on another thread.
final class BackgroundResult<Value: Sendable>: @unchecked Sendable {
  private let done = DispatchSemaphore(value: 0)
  private var result: Result<Value, any Error>?

  fileprivate func finish(_ result: Result<Value, any Error>) {
    self.result = result
    done.signal()
  }

  /// Waits for the value (at most two minutes).
  func value() throws -> Value {
    guard done.wait(timeout: .now() + 120) == .success else {
      throw TimedOut(what: "background operation")
    }
    return try result!.get()
  }
}

/// Runs `body` on a new thread.
func runInBackground<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value)
  -> BackgroundResult<Value>
{
  let result = BackgroundResult<Value>()
  Thread.detachNewThread { result.finish(Result { try body() }) }
  return result
}

/// Polls BALANCE_PROGRESS until `condition` holds (at most a minute).
func waitForProgress(
  _ fileSystem: FileSystem, until condition: (BalanceProgress) -> Bool
) throws -> BalanceProgress {
  try poll("balance progress", timeout: 60, interval: 0.002) {
    try fileSystem.balanceProgress().flatMap { condition($0) ? $0 : nil }
  }
}
