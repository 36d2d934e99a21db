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
  /// How many more unknown keys are reported one by one, each with a "did you mean" hint (an
  /// edit-distance search) or the list of known keys. Past the first few hundred mistakes nobody
  /// reads on, so a mapping's further unknown keys are counted into one diagnostic at the first of
  /// them, and a file of 50,000 unknown keys loads as fast as its size allows.
  private var unknownKeysLeft = 200

  init(file: String) { self.file = file }

  /// Where `node` is in the file.
  func source(_ node: YAMLNode) -> PolicySource {
    PolicySource(file: file, line: node.mark.line, column: node.mark.column)
  }

  /// Records a problem at `mark`.
  func report(_ message: String, at mark: YAMLMark) {
    diagnostics.append(
      PolicyDiagnostic(file: file, line: mark.line, column: mark.column, message: message))
  }

  /// The entries of the mapping `node`, checked: it is a mapping, its keys are strings, known, not
  /// repeated, and the `required` ones are present. Problems with single keys are reported and those
  /// keys dropped; `nil` (after a report) when `node` is not a mapping. `label` (the mapping in
  /// messages) is worked out only for a message.
  func fields(
    of node: YAMLNode, _ label: @autoclosure () -> String, known: [String],
    required: [String] = []
  ) -> Fields? {
    guard checkUntagged(node), case .mapping(let pairs) = node.content else {
      report("expected a mapping for \(label()), found \(node.summary)", at: node.mark)
      return nil
    }
    var fields = Fields(node: node)
    // Worked out once, for the first message that needs them.
    var labelText: String?
    var expected: String?
    // The unknown keys past ``unknownKeysLeft``: how many, and the first.
    var unreported: (count: Int, key: String, mark: YAMLMark)?
    for pair in pairs {
      guard pair.key.tag == nil, let key = pair.key.scalar, !pair.key.isNull else {
        report("expected a key name in \(label()), found \(pair.key.summary)", at: pair.key.mark)
        continue
      }
      let isKnown = known.contains(key)
      if let first = isKnown ? fields[key]?.keyMark : fields.unknownKeyMark(key) {
        report(
          "duplicate key '\(key)' in \(label()) (first given at line \(first.line), column"
            + " \(first.column))", at: pair.key.mark)
        continue
      }
      if isKnown {
        fields.add(Field(name: key, keyMark: pair.key.mark, node: pair.value))
      } else if unknownKeysLeft > 0 {
        unknownKeysLeft -= 1
        fields.noteUnknownKey(
          key, at: pair.key.mark, mapping: min(pairs.count, unknownKeysLeft + 1))
        if labelText == nil { labelText = label() }
        if expected == nil { expected = "; expected one of: " + known.joined(separator: ", ") }
        report(
          unknownKeyMessage(key, labelText!, known: known, expected: expected!), at: pair.key.mark)
      } else {
        unreported = (
          (unreported?.count ?? 0) + 1, unreported?.key ?? key,
          unreported?.mark ?? pair.key.mark
        )
      }
    }
    if let unreported {
      report(
        "\(unreported.count) more unknown keys in \(labelText ?? label()), the first '\(unreported.key)'"
          + (expected ?? "; expected one of: " + known.joined(separator: ", ")), at: unreported.mark
      )
    }
    for key in required where fields[key] == nil {
      report("missing required key '\(key)' in \(label())", at: node.mark)
    }
    return fields
  }

  /// The message for the unknown `key` of `label`: a hint at the known key it most likely meant,
  /// or else `expected` (the list of known keys). Built in one piece: a file of many unknown keys
  /// has a few hundred of these messages.
  private func unknownKeyMessage(
    _ key: String, _ label: String, known: [String], expected: String
  ) -> String {
    var hint = expected
    if let suggestion = KeySuggestion.nearest(to: key, among: known) {
      hint = "; did you mean '\(suggestion)'?"
    }
    return Self.concatenated(["unknown key '", key, "' in ", label, hint])
  }

  /// `parts` joined, copied byte for byte into one string of the right size (`+` on strings
  /// checks every joint for characters that combine across it, which dominates when a message
  /// is built for each of tens of thousands of keys).
  private static func concatenated(_ parts: [String]) -> String {
    let count = parts.reduce(0) { $0 + $1.utf8.count }
    return String(unsafeUninitializedCapacity: count) { buffer in
      var offset = 0
      for var part in parts {
        part.withUTF8 { bytes in
          _ = buffer[offset...].initialize(fromContentsOf: bytes)
          offset += bytes.count
        }
      }
      return offset
    }
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

/// The checked entries of one mapping, by key. A mapping has at most a dozen known keys, so they
/// are kept in order and looked up one by one, which costs less than hashing them.
struct Fields {
  /// The mapping node itself.
  let node: YAMLNode
  private var entries: [Field] = []
  /// Where each unknown key was first written, to find it repeated.
  private var unknownKeyMarks: [String: YAMLMark] = [:]

  init(node: YAMLNode) { self.node = node }

  /// The field named `key`, when present and known.
  subscript(key: String) -> Field? { entries.first { $0.name == key } }

  /// Whether no known key is present.
  var isEmpty: Bool { entries.isEmpty }

  /// Where the unknown `key` was first written, if it was.
  func unknownKeyMark(_ key: String) -> YAMLMark? {
    unknownKeyMarks.isEmpty ? nil : unknownKeyMarks[key]
  }

  /// Remembers that the unknown `key` is written at `mark`, to find it repeated. `entries` is the
  /// number of entries of the mapping, room for which is made at the first.
  mutating func noteUnknownKey(_ key: String, at mark: YAMLMark, mapping entries: Int) {
    if unknownKeyMarks.isEmpty { unknownKeyMarks.reserveCapacity(entries) }
    unknownKeyMarks[key] = mark
  }

  /// Adds a known key's field.
  mutating func add(_ field: Field) { entries.append(field) }
}
