import Btrfs

extension PolicyReader {
  /// The keys of a rule.
  static let ruleKeys = [
    "name", "when", "select", "order", "max-block-groups", "max-relocated", "until", "on-enospc",
    "min-gain", "convert", "spread-within", "spread-until-each-device-has",
  ]

  /// A non-empty list of rules with distinct names.
  func rules(_ field: Field, conditions: Conditions) -> [Rule]? {
    let hint = "; a policy without rules would never do anything"
    guard let items = list(field, of: "rules", emptyHint: hint) else { return nil }
    var names: [String: YAMLMark] = [:]
    let rules = items.compactMap { rule($0, conditions: conditions, names: &names) }
    return rules.count == items.count ? rules : nil
  }

  /// One rule; its name must not be in `names` (where earlier rules' names are recorded).
  private func rule(_ node: YAMLNode, conditions: Conditions, names: inout [String: YAMLMark])
    -> Rule?
  {
    guard
      let fields = fields(of: node, "a rule", known: Self.ruleKeys, required: ["name", "select"])
    else { return nil }
    let name = fields["name"].flatMap(self.name)
    if let name, let nameNode = fields["name"]?.node {
      if let first = names[name] {
        report(
          "duplicate rule name '\(name)' (first used at line \(first.line))", at: nameNode.mark)
      } else {
        names[name] = nameNode.mark
      }
    }
    let triggers = fields["when"].map { self.triggers($0, conditions: conditions) } ?? []
    let selection = fields["select"].flatMap(self.selection)
    let order = fields["order"].flatMap { choice($0, of: Order.self) } ?? .leastUsedFirst
    let maxBlockGroups = fields["max-block-groups"].flatMap { integer($0, atLeast: 1) }
    let maxRelocated = fields["max-relocated"].flatMap(positiveSize)
    let goals = fields["until"].map { self.goals($0, triggers: triggers ?? []) } ?? []
    let onNoSpace = fields["on-enospc"].flatMap { choice($0, of: NoSpaceAction.self) } ?? .stop
    let minGain = fields["min-gain"].flatMap { positiveSpace($0, belowAll: true) }
    guard let name, let triggers, let selection, let goals else { return nil }
    if fields["min-gain"] != nil, minGain == nil { return nil }
    if fields["max-relocated"] != nil, maxRelocated == nil { return nil }
    let convert = fields["convert"].flatMap { choice($0, of: Profile.self) }
    let spreadWithin = fields["spread-within"].flatMap { positiveSpace($0, belowAll: true) }
    let spreadUntil = fields["spread-until-each-device-has"].flatMap(positiveSize)
    let spreadKeys = [
      ("spread-within", spreadWithin != nil), ("spread-until-each-device-has", spreadUntil != nil),
    ]
    for (key, valid) in spreadKeys {
      guard let field = fields[key] else { continue }
      guard valid else { return nil }
      if fields["convert"] != nil || fields["min-gain"] != nil {
        report(
          "'\(key)': a spreading rule moves block groups to even out the devices; it takes"
            + " neither 'convert' nor 'min-gain' (write a rule of its own for those)",
          at: field.node.mark)
        return nil
      }
    }
    if let field = fields["spread-until-each-device-has"], fields["spread-within"] != nil {
      report(
        "'spread-until-each-device-has': a spreading rule has one goal, either 'spread-within'"
          + " (even devices) or this (enough on each device); write a rule for each",
        at: field.keyMark)
      return nil
    }
    if let field = fields["convert"] {
      guard convert != nil else { return nil }
      if fields["min-gain"] != nil {
        report(
          "'convert': a converting rule plans every block group it selects, whatever it regains"
            + " (a conversion can cost space); remove 'min-gain'", at: field.node.mark)
        return nil
      }
      if selection.type == .system {
        report(
          "'convert': system block groups cannot be converted one at a time; convert metadata"
            + " with btrfs balance start -mconvert=…,soft (the kernel converts system with it)",
          at: field.node.mark)
        return nil
      }
    }
    return Rule(
      name: name, when: triggers, select: selection, order: order,
      maxBlockGroups: maxBlockGroups, maxRelocatedBytes: maxRelocated, until: goals,
      onNoSpace: onNoSpace, minGain: minGain, convert: convert, spreadWithin: spreadWithin,
      spreadUntilEachDeviceHas: spreadUntil,
      triggerSource: fields["when"].flatMap { field(of: $0, "unallocated-below") },
      goalSource: fields["until"].flatMap { field(of: $0, "unallocated-above") })
  }

  /// Where the value of `key` in the mapping `field` is, if it is there.
  private func field(of field: Field, _ key: String) -> PolicySource? {
    guard case .mapping(let pairs) = field.node.content else { return nil }
    return pairs.first { $0.key.scalar == key }.map { source($0.value) }
  }

  /// `when`: a mapping of triggers, all of which must hold.
  private func triggers(_ field: Field, conditions: Conditions) -> [Trigger]? {
    guard let fields = nonEmptyMapping(field, known: ["unallocated-below"], meaning: "a trigger")
    else { return nil }
    guard let below = fields["unallocated-below"],
      let amount = positiveSpace(below, belowAll: false)
    else { return fields.isEmpty ? [] : nil }
    if let floor = conditions.minUnallocated, Self.isBelow(floor, amount) == false {
      report(
        "'unallocated-below': this rule can never fire: it needs less than \(amount) unallocated,"
          + " and 'conditions: min-unallocated' refuses to start below \(floor)",
        at: below.node.mark)
      return nil
    }
    return [.unallocatedBelow(amount)]
  }

  /// `until`: a mapping of goals, any of which ends the rule. A goal below the rule's trigger is
  /// refused: the rule would fire and be done at once.
  private func goals(_ field: Field, triggers: [Trigger]) -> [Goal]? {
    guard let fields = nonEmptyMapping(field, known: ["unallocated-above"], meaning: "a goal")
    else { return nil }
    guard let above = fields["unallocated-above"],
      let amount = positiveSpace(above, belowAll: true)
    else { return fields.isEmpty ? [] : nil }
    for case .unallocatedBelow(let trigger) in triggers {
      if Self.isBelow(amount, trigger) == true {
        report(
          "'unallocated-above': the goal \(amount) is below the rule's trigger \(trigger): between"
            + " the two the rule would fire and be done at once; make the goal at least \(trigger)",
          at: above.node.mark)
        return nil
      }
    }
    return [.unallocatedAbove(amount)]
  }

  /// The checked fields of a mapping that must hold at least one of `known`.
  private func nonEmptyMapping(_ field: Field, known: [String], meaning: String) -> Fields? {
    guard let fields = fields(of: field.node, "'\(field.name)'", known: known) else { return nil }
    if case .mapping(let pairs) = field.node.content, pairs.isEmpty {
      report(
        "'\(field.name)': expected \(meaning) (\(known.joined(separator: ", "))); leave"
          + " '\(field.name)' out for none", at: field.node.mark)
      return nil
    }
    return fields
  }

  /// Whether `a` < `b`, when both are sizes or both percentages; `nil` when they cannot be compared.
  private static func isBelow(_ a: SpaceAmount, _ b: SpaceAmount) -> Bool? {
    switch (a, b) {
    case (.bytes(let a), .bytes(let b)): a < b
    case (.percent(let a), .percent(let b)): a < b
    default: nil
    }
  }

  /// One of a fixed set of words, with a suggestion when the word is close to one of them.
  func choice<Choice: RawRepresentable & CaseIterable>(_ field: Field, of type: Choice.Type)
    -> Choice? where Choice.RawValue == String
  {
    let expected = { "one of " + Choice.allCases.map(\.rawValue).joined(separator: ", ") }
    guard let text = text(field, expected: expected()) else { return nil }
    if let choice = Choice(rawValue: text) { return choice }
    let words = Choice.allCases.map(\.rawValue)
    let hint = KeySuggestion.nearest(to: text, among: words).map { "; did you mean '\($0)'?" } ?? ""
    report(
      "'\(field.name)': expected \(expected()), found \(field.node.summary)\(hint)",
      at: field.node.mark)
    return nil
  }
}
