extension ValueSyntax {
  /// A stripe count or range of them, both ends inclusive like the kernel's `stripes=` filter:
  /// `3`, `2..4`, `..3` (1 to 3), `4..` (4 or more). At least 1 stripe; the low end at most the
  /// high end.
  public static func stripeRange(_ text: String) throws(ValueSyntaxError) -> ClosedRange<Int> {
    let expected = "expected a stripe count like 4 or a range like 2..4"
    let body = trimmed(text)
    func count(_ part: Substring, default value: Int) throws(ValueSyntaxError) -> Int {
      let part = trimmed(String(part))
      if part.isEmpty { return value }
      guard part.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(part) else {
        throw ValueSyntaxError("\(expected), found '\(body)'")
      }
      guard number >= 1 else {
        throw ValueSyntaxError("\(expected), found '\(body)': every chunk has at least 1 stripe")
      }
      return number
    }
    guard let separator = body.firstRange(of: "..") else {
      guard !body.isEmpty else { throw ValueSyntaxError("\(expected), found ''") }
      let single = try count(body, default: 1)
      return single...single
    }
    let low = body[..<separator.lowerBound]
    let high = body[separator.upperBound...]
    guard !(trimmed(String(low)).isEmpty && trimmed(String(high)).isEmpty) else {
      throw ValueSyntaxError("\(expected), found '\(body)': both ends are missing")
    }
    let lowCount = try count(low, default: 1)
    let highCount = try count(high, default: Int.max)
    guard lowCount <= highCount else {
      throw ValueSyntaxError(
        "\(expected), found '\(body)': no chunk has at least \(lowCount) and at most \(highCount)"
          + " stripes")
    }
    return lowCount...highCount
  }

  /// A range of device bytes `START..END`, either end optional: `100GiB..`, `..10GiB`,
  /// `1GiB..2GiB` — from `START` (inclusive, 0 when left out) to `END` (exclusive, the end of the
  /// device when left out), like the kernel's `drange=`. The range may not be empty.
  public static func byteRange(_ text: String) throws(ValueSyntaxError) -> (
    start: UInt64, end: UInt64?
  ) {
    let expected = "expected a range of device bytes like 100GiB.. or 1GiB..2GiB"
    let body = trimmed(text)
    guard let separator = body.firstRange(of: "..") else {
      throw ValueSyntaxError("\(expected), found '\(body)'")
    }
    let low = trimmed(String(body[..<separator.lowerBound]))
    let high = trimmed(String(body[separator.upperBound...]))
    guard !(low.isEmpty && high.isEmpty) else {
      throw ValueSyntaxError("\(expected), found '\(body)': both ends are missing")
    }
    let start = low.isEmpty ? 0 : try size(String(low), expected: expected)
    let end = high.isEmpty ? nil : try size(String(high), expected: expected)
    if let end, end <= start {
      throw ValueSyntaxError(
        "\(expected), found '\(body)': it is empty (the end is not after the start)")
    }
    return (start, end)
  }
}
