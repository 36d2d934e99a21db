/// Walks a policy's YAML tree into the model, collecting a diagnostic for every problem rather than
/// stopping at the first. A reader is used once, for one file.
///
/// Each reader returns `nil` for an invalid value, after reporting it. Callers use defaults for
/// absent keys and, at the end, return no policy when anything was reported.
final class PolicyReader {
  /// The file name diagnostics carry.
  let file: String
  /// Every problem found so far, in the order found.
  private(set) var diagnostics: [PolicyDiagnostic] = []

  init(file: String) { self.file = file }

  /// Records a problem at `mark`.
  /// Where `node` is in the file.
  func source(_ node: YAMLNode) -> PolicySource {
    PolicySource(file: file, line: node.mark.line, column: node.mark.column)
  }

  func report(_ message: String, at mark: YAMLMark) {
    diagnostics.append(
      PolicyDiagnostic(file: file, line: mark.line, column: mark.column, message: message))
  }

  /// The entries of the mapping `node`, checked: it is a mapping, its keys are strings, known, not
  /// repeated, and the `required` ones are present. Problems with single keys are reported and those
  /// keys dropped; `nil` (after a report) when `node` is not a mapping.
  func fields(of node: YAMLNode, _ label: String, known: [String], required: [String] = [])
    -> Fields?
  {
    guard checkUntagged(node), case .mapping(let pairs) = node.content else {
      report("expected a mapping for \(label), found \(node.summary)", at: node.mark)
      return nil
    }
    var fields = Fields(node: node)
    for pair in pairs {
      guard pair.key.tag == nil, let key = pair.key.scalar, !pair.key.isNull else {
        report("expected a key name in \(label), found \(pair.key.summary)", at: pair.key.mark)
        continue
      }
      if let first = fields.keyMark(key) {
        report(
          "duplicate key '\(key)' in \(label) (first given at line \(first.line), column"
            + " \(first.column))", at: pair.key.mark)
        continue
      }
      fields.noteKey(key, at: pair.key.mark)
      if known.contains(key) {
        fields.add(Field(name: key, keyMark: pair.key.mark, node: pair.value))
      } else {
        report(unknownKeyMessage(key, label, known: known), at: pair.key.mark)
      }
    }
    for key in required where fields[key] == nil {
      report("missing required key '\(key)' in \(label)", at: node.mark)
    }
    return fields
  }

  private func unknownKeyMessage(_ key: String, _ label: String, known: [String]) -> String {
    let message = "unknown key '\(key)' in \(label)"
    if let suggestion = KeySuggestion.nearest(to: key, among: known) {
      return "\(message); did you mean '\(suggestion)'?"
    }
    return "\(message); expected one of: \(known.joined(separator: ", "))"
  }

  /// Reports an explicit tag (`!!str`, `!custom`) on `node`; `false` when there is one.
  func checkUntagged(_ node: YAMLNode) -> Bool {
    guard let tag = node.tag else { return true }
    report("explicit YAML tags such as '\(tag)' are not supported", at: node.mark)
    return false
  }
}

/// One known key of a mapping and its value.
struct Field {
  /// The key.
  var name: String
  /// Where the key is written.
  var keyMark: YAMLMark
  /// The value.
  var node: YAMLNode
}

/// The checked entries of one mapping, by key.
struct Fields {
  /// The mapping node itself.
  let node: YAMLNode
  private var entries: [String: Field] = [:]
  private var keyMarks: [String: YAMLMark] = [:]

  init(node: YAMLNode) { self.node = node }

  /// The field named `key`, when present and known.
  subscript(key: String) -> Field? { entries[key] }

  /// Whether no known key is present.
  var isEmpty: Bool { entries.isEmpty }

  /// Where `key` was first written, known or not.
  func keyMark(_ key: String) -> YAMLMark? { keyMarks[key] }

  /// Remembers that `key` is written at `mark`, to find it repeated.
  mutating func noteKey(_ key: String, at mark: YAMLMark) { keyMarks[key] = mark }

  /// Adds a known key's field.
  mutating func add(_ field: Field) { entries[field.name] = field }
}
