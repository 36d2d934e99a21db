import Foundation

extension Process {
  /// Waits until the process has exited, looking every half millisecond, and reaps it. Whatever a
  /// benchmark times waits through here, not through `waitUntilExit()`, which looks only every
  /// 50 ms: that put up to 50 ms into every contender's wall time and a constant 50 ms into every
  /// stop latency.
  func waitForExit() {
    while isRunning { usleep(500) }
    waitUntilExit()
  }
}
