/// Where in a policy file a value was written, for messages about it that editors can jump to:
/// `nightly.yaml:12:20`.
public struct PolicySource: Hashable, Sendable, CustomStringConvertible {
  /// The file, as it was named to the loader.
  public var file: String
  /// The line, from 1.
  public var line: Int
  /// The column, from 1.
  public var column: Int

  public init(file: String, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  /// `file:line:column`.
  public var description: String { "\(file):\(line):\(column)" }
}
