import Foundation

extension Policy {
  /// Whether balancing may run at `date`: inside one of the policy's windows (read in its time zone),
  /// or at any time when the policy has no windows.
  public func isWithinWindow(at date: Date) -> Bool {
    windows.isEmpty || windows.contains { $0.contains(date, in: timeZone) }
  }

  /// When the windows open at `date` close: windows that overlap or touch (`22:00-24:00` and the
  /// next day's `00:00-06:00`) count as one. `nil` when no window is open at `date`, when the policy
  /// has no windows, or when its windows cover the whole week — that is, after
  /// ``isWithinWindow(at:)`` said yes, `nil` means the windows never close.
  public func windowCloses(after date: Date) -> Date? {
    let week: TimeInterval = 7 * 86_400
    var close: Date?
    var instant = date
    while let next = windows.compactMap({ $0.nextClose(after: instant, in: timeZone) }).max(),
      next > instant
    {
      guard next.timeIntervalSince(date) <= week else { return nil }
      close = next
      instant = next
    }
    return close
  }
}
