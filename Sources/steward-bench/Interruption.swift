import Foundation

/// SIGINT and SIGTERM while a benchmark has filesystems mounted: instead of dying with them
/// mounted, the benchmark notes the signal and stops at its next ``check()``, so its deferred
/// clean-up runs. A running child gets the terminal's SIGINT itself (its handler is reset to the
/// default on exec) and exits, which fails its step.
enum Interruption {
  nonisolated(unsafe) private static var signalled: sig_atomic_t = 0

  /// Installs the handlers.
  static func install() {
    for number in [SIGINT, SIGTERM] {
      signal(number) { _ in
        Interruption.signalled = 1
        let message: StaticString = "\ninterrupted: cleaning up after the current step\n"
        _ = write(STDERR_FILENO, message.utf8Start, message.utf8CodeUnitCount)
      }
    }
  }

  /// Throws when a signal arrived.
  static func check() throws {
    if signalled != 0 { throw BenchmarkFailure("interrupted") }
  }
}
