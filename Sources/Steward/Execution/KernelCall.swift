import Btrfs
import Foundation
import Synchronization

/// A blocking ioctl (balance, scrub) running on a thread of its own, so the caller can poll
/// progress and honour stop requests while the kernel works.
final class KernelCall<Outcome: Sendable>: Sendable {
  private let finished = DispatchSemaphore(value: 0)
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
      finished.signal()
    }
  }

  /// Waits up to `seconds` for the call to end; its result, or `nil` while it still runs.
  func wait(seconds: Double) -> Result<Outcome, BtrfsError>? {
    guard finished.wait(timeout: .now() + seconds) == .success else { return nil }
    finished.signal()
    return outcome.withLock { $0 }
  }
}
