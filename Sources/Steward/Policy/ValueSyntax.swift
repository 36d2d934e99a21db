/// Parsers for the values a policy writes as text: sizes, percentages, amounts of space, usage
/// ranges and durations. Times of day and weekdays parse through ``TimeOfDay`` and ``Weekday``.
///
/// Each parser takes the whole text (surrounding spaces are ignored) and either returns a value or
/// throws a ``ValueSyntaxError`` saying what was expected.
public enum ValueSyntax {}

/// Why a value's text could not be read, for a person: what was expected and what was found.
public struct ValueSyntaxError: Error, Hashable, Sendable, CustomStringConvertible {
  /// For example `expected a size like 2GiB, found '2G': …`.
  public var message: String

  public init(_ message: String) { self.message = message }

  public var description: String { message }
}

extension ValueSyntax {
  /// A non-negative decimal number at the start of `text` (digits, optionally a `.` and more digits),
  /// and the rest of the text after it. `nil` when `text` does not start with a digit.
  static func leadingNumber(_ text: Substring) -> (
    whole: UInt64, fraction: Double, rest: Substring
  )? {
    let digits = text.prefix { $0.isASCII && $0.isNumber }
    guard !digits.isEmpty, let whole = UInt64(digits) else { return nil }
    var rest = text[digits.endIndex...]
    var fraction = 0.0
    if rest.first == ".", let first = rest.dropFirst().first, first.isASCII, first.isNumber {
      let fractionDigits = rest.dropFirst().prefix { $0.isASCII && $0.isNumber }
      fraction = Double("0." + fractionDigits) ?? 0
      rest = rest[fractionDigits.endIndex...]
    }
    return (whole, fraction, rest)
  }

  /// `text` without leading and trailing spaces and tabs.
  static func trimmed(_ text: String) -> Substring {
    let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
    let start = text.firstIndex { !isBlank($0) } ?? text.endIndex
    let end = text.lastIndex { !isBlank($0) }.map { text.index(after: $0) } ?? start
    return text[start..<end]
  }
}
