/// `value` with one decimal, as `%.1f` prints it (but for ties), without `String(format:)`, whose
/// first use costs about a million instructions in the executor's thread.
func oneDecimal(_ value: Double) -> String {
  guard value.isFinite, value.magnitude < 1e15 else { return "\(value)" }
  let tenths = Int((value * 10).rounded())
  return "\(tenths < 0 ? "-" : "")\(tenths.magnitude / 10).\(tenths.magnitude % 10)"
}
