/// A position in a YAML text, 1-based, as editors and compilers count: the first character of the
/// file is at line 1, column 1. Columns count characters, not bytes.
public struct YAMLMark: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The line, from 1.
  public var line: Int
  /// The column, from 1.
  public var column: Int

  public init(line: Int, column: Int) {
    self.line = line
    self.column = column
  }

  /// The start of a text.
  public static let start = YAMLMark(line: 1, column: 1)

  /// For example `3:14`.
  public var description: String { "\(line):\(column)" }

  public static func < (lhs: Self, rhs: Self) -> Bool {
    (lhs.line, lhs.column) < (rhs.line, rhs.column)
  }
}
