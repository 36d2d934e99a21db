/// A duration the way policies write it: `2h`, `90m`, `45s`, `1d`, or seconds with decimals.
struct DurationText: CustomStringConvertible {
  let duration: Duration

  init(_ duration: Duration) { self.duration = duration }

  var description: String {
    let (seconds, attoseconds) = duration.components
    guard attoseconds == 0 else {
      return "\((Double(seconds) + Double(attoseconds) / 1e18).formatted())s"
    }
    for (unit, length) in [("d", Int64(86_400)), ("h", 3_600), ("m", 60)]
    where seconds != 0 && seconds % length == 0 {
      return "\(seconds / length)\(unit)"
    }
    return "\(seconds)s"
  }
}
