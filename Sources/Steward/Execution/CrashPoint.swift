import Glibc

/// Fault injection for crash tests: when the environment variable `BTRFS_STEWARD_CRASH_AT` is
/// `POINT:N`, the process kills itself with SIGKILL the N-th time it reaches `POINT` — a real crash,
/// with no chance to clean up, at a place an outside `kill -9` could only hit by luck. Unset, it costs
/// one dictionary lookup per operation.
enum CrashPoint: String {
  /// Before an operation's start is journaled.
  case beforeOperation = "before-operation"
  /// After the start is journaled and fsync'd, before the balance ioctl.
  case afterJournal = "after-journal"
  /// After an operation's result is journaled.
  case afterOperation = "after-operation"

  private static let armed: (point: String, count: Int)? = {
    // getenv, not ProcessInfo's environment: that copies every variable into a dictionary, a
    // third of a million instructions in the executor's first operation.
    guard let value = getenv("BTRFS_STEWARD_CRASH_AT").map({ String(cString: $0) }) else {
      return nil
    }
    let parts = value.split(separator: ":")
    return (String(parts[0]), parts.count > 1 ? Int(parts[1]) ?? 1 : 1)
  }()
  nonisolated(unsafe) private static var reached: [String: Int] = [:]

  /// Crashes here if the environment asks for it.
  func reach() {
    guard let armed = Self.armed, armed.point == rawValue else { return }
    Self.reached[rawValue, default: 0] += 1
    if Self.reached[rawValue] == armed.count { kill(getpid(), SIGKILL) }
  }
}
