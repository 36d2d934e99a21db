/// One node of a parsed YAML document: a scalar, a sequence or a mapping, with the position where it
/// starts. Scalars are kept as written (no type resolution): the reader of the tree decides what a
/// scalar means, and can tell a plain `true` from a quoted `"true"` by its ``YAMLScalarStyle``.
public struct YAMLNode: Hashable, Sendable {
  /// What the node holds.
  public enum Content: Hashable, Sendable {
    /// A scalar's text (escapes resolved, folding applied) and how it was written.
    case scalar(String, YAMLScalarStyle)
    /// A sequence's items, in order.
    case sequence([YAMLNode])
    /// A mapping's entries in document order. Duplicate keys are kept, so a reader can report them.
    case mapping([YAMLPair])
  }

  /// What the node holds.
  public var content: Content
  /// Where the node starts.
  public var mark: YAMLMark
  /// The node's explicit tag (such as `tag:yaml.org,2002:str` for `!!str`), if it has one.
  public var tag: String?

  public init(_ content: Content, mark: YAMLMark, tag: String? = nil) {
    self.content = content
    self.mark = mark
    self.tag = tag
  }

  /// The text of a scalar; `nil` for sequences and mappings.
  public var scalar: String? {
    if case .scalar(let text, _) = content { text } else { nil }
  }

  /// Whether the node is a plain scalar, written without quotes or block indicators.
  public var isPlainScalar: Bool {
    if case .scalar(_, .plain) = content { true } else { false }
  }

  /// Whether the node is YAML's null: an empty plain scalar, `~`, or `null` in any of its spellings.
  public var isNull: Bool {
    guard tag == nil, case .scalar(let text, .plain) = content else { return false }
    return ["", "~", "null", "Null", "NULL"].contains(text)
  }

  /// A short description of the node for error messages, for example `a list` or `'abc'`.
  public var summary: String {
    switch content {
    case .sequence: return "a list"
    case .mapping: return "a mapping"
    case .scalar(let text, let style):
      if isNull { return "nothing (null)" }
      let shown = text.count > 40 ? String(text.prefix(37)) + "..." : text
      return style == .plain ? "'\(shown)'" : "the quoted string \"\(shown)\""
    }
  }
}

/// One entry of a YAML mapping.
public struct YAMLPair: Hashable, Sendable {
  /// The key node.
  public var key: YAMLNode
  /// The value node.
  public var value: YAMLNode

  public init(key: YAMLNode, value: YAMLNode) {
    self.key = key
    self.value = value
  }
}

/// How a scalar was written.
public enum YAMLScalarStyle: Hashable, Sendable {
  /// Without quotes: `abc`.
  case plain
  /// In single quotes: `'abc'`.
  case singleQuoted
  /// In double quotes: `"abc"`.
  case doubleQuoted
  /// As a literal block: `|`.
  case literal
  /// As a folded block: `>`.
  case folded
}
