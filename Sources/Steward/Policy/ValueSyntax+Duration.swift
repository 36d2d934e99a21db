extension ValueSyntax {
  /// The units a duration may carry, largest first, in seconds.
  private static let durationUnits: [(name: Character, seconds: Int64)] = [
    ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1),
  ]

  /// A duration: whole numbers with units `d`, `h`, `m`, `s`, largest unit first, each at most once,
  /// for example `30s`, `5m`, `2h`, `1d`, `1h30m`, `0s`.
  public static func duration(_ text: String) throws(ValueSyntaxError) -> Duration {
    let example = "expected a duration like 30s, 5m, 2h, 1d or 1h30m"
    let body = trimmed(text)
    var rest = body
    var seconds: Int64 = 0
    var nextUnit = 0
    guard !rest.isEmpty else { throw ValueSyntaxError("\(example), found nothing") }
    while !rest.isEmpty {
      let digits = rest.prefix { $0.isASCII && $0.isNumber }
      guard !digits.isEmpty, let count = Int64(digits) else {
        throw ValueSyntaxError("\(example), found '\(body)'")
      }
      rest = rest[digits.endIndex...]
      guard let letter = rest.first,
        let unit = durationUnits[nextUnit...].firstIndex(where: { $0.name == letter })
      else {
        let problem = rest.first.map { "'\($0)' is not a unit here" } ?? "the unit is missing"
        throw ValueSyntaxError("\(example), found '\(body)': \(problem)")
      }
      let (part, overflow) = count.multipliedReportingOverflow(by: durationUnits[unit].seconds)
      let (sum, overflowAgain) = seconds.addingReportingOverflow(part)
      guard !overflow, !overflowAgain else {
        throw ValueSyntaxError("\(example), found '\(body)': too long")
      }
      seconds = sum
      nextUnit = unit + 1
      rest = rest.dropFirst()
    }
    return .seconds(seconds)
  }
}

extension ValueSyntax {
  /// The longest ``shortDuration(_:)`` written in milliseconds: a minute.
  private static let longestMilliseconds: Int64 = 60_000

  /// A duration that may be shorter than a second: whole milliseconds up to a minute (`250ms`),
  /// or a ``duration(_:)``.
  public static func shortDuration(_ text: String) throws(ValueSyntaxError) -> Duration {
    let body = trimmed(text)
    guard body.hasSuffix("ms") else {
      do {
        return try duration(text)
      } catch {
        throw ValueSyntaxError("expected a duration like 250ms, 2s or 1m, found '\(body)'")
      }
    }
    let digits = body.dropLast(2)
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
      let milliseconds = Int64(digits), milliseconds <= longestMilliseconds
    else {
      throw ValueSyntaxError(
        "expected whole milliseconds up to \(longestMilliseconds)ms, found '\(body)'")
    }
    return .milliseconds(milliseconds)
  }
}
