import Btrfs
import Foundation
import Synchronization

/// A blocking ioctl (balance, scrub) running on a thread of its own, so the caller can poll
/// progress and honour stop requests while the kernel works.
final class KernelCall<Outcome: Sendable>: Sendable {
  /// Signalled when the call ends, and by ``wake()``.
  private let wakeUp = DispatchSemaphore(value: 0)
  private let outcome = Mutex<Result<Outcome, BtrfsError>?>(nil)

  /// Starts `body` on a new thread.
  init(_ body: @escaping @Sendable () throws(BtrfsError) -> Outcome) {
    Thread.detachNewThread { [self] in
      let result: Result<Outcome, BtrfsError>
      do throws(BtrfsError) {
        result = .success(try body())
      } catch {
        result = .failure(error)
      }
      outcome.withLock { $0 = result }
      wakeUp.signal()
    }
  }

  /// Ends the ``wait(seconds:)`` in progress, or the next one, early: a stop request calls it
  /// (``StopRequests/waking(_:during:)``) so that the caller acts on it at once.
  func wake() {
    wakeUp.signal()
  }

  /// Waits up to `seconds` for the call to end, or until ``wake()``; its result, or `nil` while it
  /// still runs.
  func wait(seconds: Double) -> Result<Outcome, BtrfsError>? {
    if let done = outcome.withLock({ $0 }) { return done }
    _ = wakeUp.wait(timeout: .now() + seconds)
    return outcome.withLock { $0 }
  }
}
