import Dispatch

/// A read that runs on another thread while the caller does other work, for reads of the kernel
/// that do not depend on each other (two tree searches of different trees, say): the caller gets
/// the value, or the read's error, from ``wait()``.
final class BackgroundRead<Value: Sendable>: @unchecked Sendable {
  private let finished = DispatchSemaphore(value: 0)
  /// Written once, by the reading thread, before it signals ``finished``; read only after waiting
  /// for that signal, which orders the two.
  private var result: Result<Value, BtrfsError>?

  /// Starts `read` on a thread of the global dispatch pool.
  init(_ read: @escaping @Sendable () throws(BtrfsError) -> Value) {
    DispatchQueue.global(qos: .userInitiated).async { [self] in
      result = Result { () throws(BtrfsError) in try read() }
      finished.signal()
    }
  }

  /// Waits for the read to end and returns its value or throws its error. Call it once.
  func wait() throws(BtrfsError) -> Value {
    finished.wait()
    return try result!.get()
  }
}
