/// One problem found in a policy file, at a position, printed the way compilers print errors so that
/// editors can jump to it: `nightly.yaml:12:20: error: expected a percentage like 10%, found '10'`.
public struct PolicyDiagnostic: Hashable, Sendable, Codable, CustomStringConvertible {
  /// The file, as it was named to the loader.
  public var file: String
  /// The line, from 1.
  public var line: Int
  /// The column, from 1.
  public var column: Int
  /// What is wrong and what was expected.
  public var message: String

  public init(file: String, line: Int, column: Int, message: String) {
    self.file = file
    self.line = line
    self.column = column
    self.message = message
  }

  /// `file:line:column: error: message`.
  public var description: String { "\(file):\(line):\(column): error: \(message)" }
}

/// Why ``PolicyLoader`` produced no policy.
public enum PolicyLoadError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The file could not be read; `reason` says why (for example `No such file or directory`).
  case unreadable(file: String, reason: String)
  /// The file was read but is not a valid policy; every problem found, in document order (never empty).
  case invalid([PolicyDiagnostic])

  /// One line per problem.
  public var description: String {
    switch self {
    case .unreadable(let file, let reason): "\(file): error: cannot read the policy: \(reason)"
    case .invalid(let diagnostics): diagnostics.map(\.description).joined(separator: "\n")
    }
  }
}
