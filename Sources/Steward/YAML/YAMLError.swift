/// Why a YAML text could not be read into a ``YAMLNode`` tree: libyaml's own complaint (with its
/// problem text) or a feature this small reader refuses (aliases, several documents, deep nesting).
public struct YAMLError: Error, Hashable, Sendable, CustomStringConvertible {
  /// What went wrong, for a person, for example `did not find expected key`.
  public var message: String
  /// Where it went wrong.
  public var mark: YAMLMark

  public init(_ message: String, at mark: YAMLMark) {
    self.message = message
    self.mark = mark
  }

  /// For example `3:1: did not find expected key`.
  public var description: String { "\(mark): \(message)" }
}
