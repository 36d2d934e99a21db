import Foundation

/// Calls `attempt` every `interval` seconds until it returns a value, and returns that value;
/// throws ``TimedOut`` naming `what` once `timeout` seconds have passed without one.
func poll<Value>(
  _ what: String, timeout: Double, interval: Double, _ attempt: () throws -> Value?
) throws -> Value {
  let deadline = Date().addingTimeInterval(timeout)
  while Date() < deadline {
    if let value = try attempt() { return value }
    Thread.sleep(forTimeInterval: interval)
  }
  throw TimedOut(what: what)
}

/// What a bounded wait waited for in vain.
struct TimedOut: Error {
  /// What was waited for.
  var what: String
}
