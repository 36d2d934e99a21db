/// `value` with one decimal, as `%.1f` prints it (but for ties, which go away from zero), whatever
/// the locale: `22.5`, `-0.3`, `1234.0`. The one home for tenths in logs, plans and reports.
///
/// Not `String(format:)` or Foundation's `FloatingPointFormatStyle`: the first use of either costs
/// about a million instructions, which a run paid in its planning and in the executor's thread, and
/// the format style also groups thousands and follows the locale.
public func oneDecimal(_ value: Double) -> String {
  guard value.isFinite, value.magnitude < 1e15 else { return "\(value)" }
  let tenths = Int((value * 10).rounded())
  return "\(tenths < 0 ? "-" : "")\(tenths.magnitude / 10).\(tenths.magnitude % 10)"
}
