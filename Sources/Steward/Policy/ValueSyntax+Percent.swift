extension ValueSyntax {
  /// A percentage from 0% to 100%, for example `10%`, `0.5%`, `100%`. The `%` is required.
  public static func percent(_ text: String) throws(ValueSyntaxError) -> Double {
    let example = "expected a percentage like 10%"
    let body = trimmed(text)
    if body.hasPrefix("-") {
      throw ValueSyntaxError("\(example), found '\(body)': a percentage cannot be negative")
    }
    guard let (whole, fraction, rest) = leadingNumber(body), trimmed(String(rest)) == "%" else {
      throw ValueSyntaxError("\(example), found '\(body)'")
    }
    let value = Double(whole) + fraction
    guard value <= 100 else {
      throw ValueSyntaxError("expected a percentage from 0% to 100%, found '\(body)'")
    }
    return value
  }

  /// An amount of space: a size (`2GiB`) or a percentage of the filesystem's size (`10%`).
  public static func spaceAmount(_ text: String) throws(ValueSyntaxError) -> SpaceAmount {
    if trimmed(text).hasSuffix("%") {
      return .percent(try percent(text))
    }
    return .bytes(try size(text, expected: "expected a size like 2GiB or a percentage like 10%"))
  }

  /// A usage range `LOW..HIGH` with either end optional, for example `10%..60%`, `..5%`, `50%..`:
  /// at least `LOW` and below `HIGH`, like the kernel's `usage=` filter. The range may be empty
  /// (`60%..10%`); callers check that.
  public static func usageRange(_ text: String) throws(ValueSyntaxError) -> (
    atLeast: Double?, below: Double?
  ) {
    let body = trimmed(text)
    guard let separator = body.firstRange(of: "..") else {
      throw ValueSyntaxError("expected a usage range like 10%..60%, found '\(body)'")
    }
    let low = trimmed(String(body[..<separator.lowerBound]))
    let high = trimmed(String(body[separator.upperBound...]))
    guard !(low.isEmpty && high.isEmpty) else {
      throw ValueSyntaxError(
        "expected a usage range like 10%..60%, found '\(body)': both ends are missing")
    }
    return (
      low.isEmpty ? nil : try percent(String(low)),
      high.isEmpty ? nil : try percent(String(high))
    )
  }
}
