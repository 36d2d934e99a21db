import Foundation
import Synchronization

/// What a run has been asked to do instead of going on.
public enum StopRequest: Hashable, Sendable {
  /// Pause: the kernel's balance pauses after the block group in flight, the run journals it and
  /// exits; the next run resumes.
  case pause(StopReason)
  /// Cancel: the kernel's balance is cancelled and the run ends.
  case cancel(StopReason)

  /// Why the stop was asked for.
  public var reason: StopReason {
    switch self {
    case .pause(let reason), .cancel(let reason): reason
    }
  }
}

/// The stop requests of one run, shared between the executor and whatever asks it to stop (signal
/// handlers, the clock, tests). A cancel outranks a pause. Waiting on it is an interruptible sleep.
public final class StopRequests: Sendable {
  private let state = Mutex<StopRequest?>(nil)
  private let wakeUp = DispatchSemaphore(value: 0)
  private let onCancel = Mutex<(@Sendable () -> Void)?>(nil)
  /// The wakes of ``waking(_:during:)`` in progress (scrubs of several devices wait at once), by a
  /// number unique to each.
  private let wakers = Mutex<(next: Int, wakes: [Int: @Sendable () -> Void])>((0, [:]))

  public init() {}

  /// The strongest request so far, or `nil`.
  public var current: StopRequest? { state.withLock { $0 } }

  /// Asks the run to stop. A pause does not replace a cancel.
  public func request(_ request: StopRequest) {
    let escalated: Bool = state.withLock { current in
      switch (current, request) {
      case (.cancel, _): return false
      case (_, .cancel):
        current = request
        return true
      case (nil, .pause):
        current = request
        return false
      case (.pause, .pause): return false
      }
    }
    if escalated, let onCancel = onCancel.withLock({ $0 }) { onCancel() }
    wakeUp.signal()
    for wake in wakers.withLock({ $0.wakes.values }) { wake() }
  }

  /// Runs `body`, calling `wake` (on the requesting thread) on every request made meanwhile, so
  /// that a wait of its own (on a kernel call, ``KernelCall/wake()``) ends at once instead of
  /// polling for requests.
  func waking<T, Failure: Error>(
    _ wake: @escaping @Sendable () -> Void, during body: () throws(Failure) -> T
  ) throws(Failure) -> T {
    let key = wakers.withLock { wakers in
      defer { wakers.next += 1 }
      wakers.wakes[wakers.next] = wake
      return wakers.next
    }
    defer { _ = wakers.withLock { $0.wakes.removeValue(forKey: key) } }
    return try body()
  }

  /// Runs `action` (on the requesting thread) whenever a cancel is requested: the executor uses it to
  /// cancel the kernel's balance even while it waits for a pause to be honoured.
  public func whenCancelled(_ action: (@Sendable () -> Void)?) {
    onCancel.withLock { $0 = action }
  }

  /// Sleeps for `seconds`, or until a stop is requested, and returns the request, if any. A request
  /// from another thread ends the wait at once; `check`, called every `checkInterval` seconds (and
  /// first at once), can turn what it watches (a closing window, a limit, the battery) into a
  /// request. Every wait of a run goes through here, so none outlasts a stop by more than
  /// `checkInterval`.
  @discardableResult
  public func wait(
    seconds: Double, checkingEvery checkInterval: Double = 0.05, _ check: () -> Void = {}
  ) -> StopRequest? {
    let deadline = DispatchTime.now() + seconds
    while true {
      check()
      if let current { return current }
      let now = DispatchTime.now()
      guard now < deadline else { return nil }
      let slice = min(deadline, now + checkInterval)
      _ = wakeUp.wait(timeout: slice)
    }
  }
}
