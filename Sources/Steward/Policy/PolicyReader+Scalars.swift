/// Labels and descriptions of what was expected are taken as autoclosures throughout: they are
/// worked out only for a message, not for every value that is valid.
extension PolicyReader {
  /// The text of a scalar field; reports (and returns `nil` for) collections, null and tags.
  /// `expected` describes a valid value, for example `a size like 2GiB`.
  func text(_ field: Field, expected: @autoclosure () -> String) -> String? {
    text(field.node, label: "'\(field.name)'", expected: expected())
  }

  /// The text of a scalar node; see ``text(_:expected:)``.
  func text(
    _ node: YAMLNode, label: @autoclosure () -> String, expected: @autoclosure () -> String
  ) -> String? {
    guard checkUntagged(node) else { return nil }
    guard let text = node.scalar, !node.isNull else {
      report("\(label()): expected \(expected()), found \(node.summary)", at: node.mark)
      return nil
    }
    return text
  }

  /// A field's value read by `parse`, whose error message is reported at the value.
  func value<T>(
    _ field: Field, expected: @autoclosure () -> String,
    _ parse: (String) throws(ValueSyntaxError) -> T
  ) -> T? {
    value(field.node, label: "'\(field.name)'", expected: expected(), parse)
  }

  /// A node's value read by `parse`; see ``value(_:expected:_:)``.
  func value<T>(
    _ node: YAMLNode, label: @autoclosure () -> String, expected: @autoclosure () -> String,
    _ parse: (String) throws(ValueSyntaxError) -> T
  ) -> T? {
    guard let text = text(node, label: label(), expected: expected()) else { return nil }
    do {
      return try parse(text)
    } catch {
      report("\(label()): \(error.message)", at: node.mark)
      return nil
    }
  }

  /// A whole number written plainly (not quoted), at least `minimum`.
  func integer(_ field: Field, atLeast minimum: Int) -> Int? {
    integer(field.node, label: "'\(field.name)'", atLeast: minimum)
  }

  /// A whole number node; see ``integer(_:atLeast:)``.
  func integer(_ node: YAMLNode, label: @autoclosure () -> String, atLeast minimum: Int) -> Int? {
    let expected = { "a whole number of at least \(minimum)" }
    guard let text = text(node, label: label(), expected: expected()) else { return nil }
    guard node.isPlainScalar, let number = Int(text), !text.hasPrefix("+") else {
      report("\(label()): expected \(expected()), found \(node.summary)", at: node.mark)
      return nil
    }
    guard number >= minimum else {
      report("\(label()): expected \(expected()), found \(number)", at: node.mark)
      return nil
    }
    return number
  }

  /// `true` or `false`, written plainly (YAML 1.1's `yes`, `no`, `on` and `off` are refused: they
  /// read differently in different tools).
  func boolean(_ field: Field) -> Bool? {
    let label = "'\(field.name)'"
    guard let text = text(field.node, label: label, expected: "true or false") else { return nil }
    if field.node.isPlainScalar {
      if ["true", "True", "TRUE"].contains(text) { return true }
      if ["false", "False", "FALSE"].contains(text) { return false }
    }
    report("\(label): expected true or false, found \(field.node.summary)", at: field.node.mark)
    return nil
  }

  /// The items of a list field; reports a non-list and an empty list (with `emptyHint`).
  func list(
    _ field: Field, of items: @autoclosure () -> String, emptyHint: String = ""
  ) -> [YAMLNode]? {
    let label = "'\(field.name)'"
    guard checkUntagged(field.node) else { return nil }
    guard case .sequence(let nodes) = field.node.content else {
      report(
        "\(label): expected a list of \(items()), found \(field.node.summary)", at: field.node.mark)
      return nil
    }
    guard !nodes.isEmpty else {
      report("\(label): expected at least one of \(items())\(emptyHint)", at: field.node.mark)
      return nil
    }
    return nodes
  }

  /// A name for logs and the journal: 1 to 64 letters, digits, `.`, `_` and `-`, starting with a
  /// letter or digit.
  func name(_ field: Field) -> String? {
    let expected = "a name of letters, digits, '.', '_' and '-'"
    guard let name = text(field, expected: expected) else { return nil }
    // By bytes: every allowed character is ASCII, one byte each.
    let isAlphanumeric: (UInt8) -> Bool = {
      (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0 | 0x20)
        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
    }
    let bytes = name.utf8
    guard let first = bytes.first, isAlphanumeric(first), bytes.count <= 64,
      bytes.allSatisfy({ isAlphanumeric($0) || "._-".utf8.contains($0) })
    else {
      report(
        "'\(field.name)': expected \(expected) (starting with a letter or digit, at most 64),"
          + " found \(field.node.summary)", at: field.node.mark)
      return nil
    }
    return name
  }
}
