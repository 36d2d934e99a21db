extension Policy {
  /// This policy with `windows` in place of its own (when not `nil`): a job's windows, read in the
  /// policy's time zone by ``isWithinWindow(at:)`` and ``windowCloses(after:)``.
  public func withWindows(_ windows: [TimeWindow]?) -> Policy {
    var policy = self
    if let windows { policy.windows = windows }
    return policy
  }
}
