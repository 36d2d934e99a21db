import Testing

@testable import Steward

/// One invalid policy and the single problem the loader must report for it.
struct InvalidPolicyCase: Sendable, CustomTestStringConvertible {
  var name: String
  var yaml: String
  var line: Int
  var column: Int
  var message: String

  var testDescription: String { name }
}

/// `version`, `name` and one rule around `body`, which is inserted from line 3 on.
private func policy(_ body: String, select: String = "{ type: data }") -> String {
  "version: 1\nname: t\n\(body)rules:\n  - name: r\n    select: \(select)\n"
}

/// A valid policy whose only rule's `select` is `select` (from line 5, column 13).
private func selecting(_ select: String) -> String {
  policy("", select: select)
}

@Suite("Policy loader: each class of error, at its exact node")
struct PolicyLoaderErrorTests {
  static let cases: [InvalidPolicyCase] = [
    // YAML itself
    .init(
      name: "YAML syntax error", yaml: "version: 1\nname: t\n rules: []\n", line: 3, column: 7,
      message: "mapping values are not allowed in this context"),
    .init(
      name: "empty file", yaml: "", line: 1, column: 1,
      message: "the policy is empty; expected a mapping with at least 'version', 'name' and 'rules'"
    ),
    .init(
      name: "only comments", yaml: "# nothing\n", line: 1, column: 1, message: "the policy is empty"
    ),
    .init(
      name: "not a mapping", yaml: "- version: 1\n", line: 1, column: 1,
      message: "expected a mapping for the policy, found a list"),
    .init(
      name: "alias", yaml: "version: &v 1\nname: t\nrules: *v\n", line: 3, column: 8,
      message: "aliases (*name) are not supported"),
    .init(
      name: "two documents", yaml: policy("") + "---\nversion: 1\n", line: 6, column: 1,
      message: "a policy file holds a single YAML document"),
    .init(
      name: "explicit tag",
      yaml: "version: !!int 1\nname: t\nrules:\n  - {name: r, select: {type: data}}\n", line: 1,
      column: 10,
      message: "explicit YAML tags such as 'tag:yaml.org,2002:int' are not supported"),
    // keys
    .init(
      name: "unknown key with a suggestion", yaml: selecting("{ type: data, usage-bellow: 10% }"),
      line: 5, column: 27,
      message: "unknown key 'usage-bellow' in 'select'; did you mean 'usage-below'?"),
    .init(
      name: "usage-above suggests usage-at-least",
      yaml: selecting("{ type: data, usage-above: 10% }"),
      line: 5, column: 27, message: "did you mean 'usage-at-least'?"),
    .init(
      name: "unknown key far from all", yaml: policy("colour: blue\n"), line: 3, column: 1,
      message:
        "unknown key 'colour' in the policy; expected one of: version, name, filesystems, windows,"
        + " timezone, conditions, limits, rules"),
    .init(
      name: "duplicate key", yaml: policy("name: u\n"), line: 3, column: 1,
      message: "duplicate key 'name' in the policy (first given at line 2, column 1)"),
    .init(
      name: "missing required key",
      yaml: "version: 1\nrules:\n  - name: r\n    select: { type: data }\n",
      line: 1, column: 1, message: "missing required key 'name' in the policy"),
    .init(
      name: "rule without a name",
      yaml: "version: 1\nname: t\nrules:\n  - select: { type: data }\n",
      line: 4, column: 5, message: "missing required key 'name' in a rule"),
    .init(
      name: "select without a type", yaml: selecting("{ usage-below: 10% }"), line: 5, column: 13,
      message: "missing required key 'type' in 'select'"),
    .init(
      name: "non-string key", yaml: policy("[a]: 1\n"), line: 3, column: 1,
      message: "expected a key name in the policy, found a list"),
    // types
    .init(
      name: "list where a mapping belongs", yaml: policy("limits: [1h]\n"), line: 3, column: 9,
      message: "expected a mapping for 'limits', found a list"),
    .init(
      name: "mapping where a list belongs", yaml: "version: 1\nname: t\nrules: { name: r }\n",
      line: 3,
      column: 8, message: "'rules': expected a list of rules, found a mapping"),
    .init(
      name: "quoted number",
      yaml: "version: \"1\"\nname: t\nrules:\n  - {name: r, select: {type: data}}\n",
      line: 1, column: 10,
      message: "'version': expected a whole number of at least 1, found the quoted string \"1\""),
    .init(
      name: "unsupported version",
      yaml: "version: 2\nname: t\nrules:\n  - {name: r, select: {type: data}}\n",
      line: 1, column: 10,
      message: "unsupported policy version 2; this btrfs-steward reads version 1"),
    .init(
      name: "null value", yaml: policy("timezone:\n"), line: 3, column: 10,
      message:
        "'timezone': expected 'local' or a time-zone name like 'Europe/Paris' or 'UTC', found nothing (null)"
    ),
    .init(
      name: "bad name",
      yaml: "version: 1\nname: my policy\nrules:\n  - {name: r, select: {type: data}}\n",
      line: 2, column: 7, message: "'name': expected a name of letters, digits, '.', '_' and '-'"),
    .init(
      name: "yes is not a boolean", yaml: policy("conditions: { on-ac-power: yes }\n"), line: 3,
      column: 28,
      message: "'on-ac-power': expected true or false, found 'yes'"),
    // values
    .init(
      name: "percentage without %", yaml: selecting("{ type: data, usage-below: 10 }"), line: 5,
      column: 40,
      message: "'usage-below': expected a percentage like 10%, found '10'"),
    .init(
      name: "percentage above 100", yaml: selecting("{ type: data, usage-below: 150% }"), line: 5,
      column: 40,
      message: "'usage-below': expected a percentage from 0% to 100%, found '150%'"),
    .init(
      name: "negative percentage", yaml: selecting("{ type: data, usage-at-least: -5% }"), line: 5,
      column: 43, message: "a percentage cannot be negative"),
    .init(
      name: "ambiguous size unit", yaml: policy("limits: { max-relocated: 100G }\n"), line: 3,
      column: 26,
      message:
        "'max-relocated': expected a size like 2GiB, 512MiB or 4096B, found '100G': write 'GiB'"),
    .init(
      name: "zero size", yaml: policy("limits: { max-relocated: 0B }\n"), line: 3, column: 26,
      message: "'max-relocated': must be greater than zero"),
    .init(
      name: "bad duration", yaml: policy("limits: { max-runtime: 2 hours }\n"), line: 3, column: 24,
      message: "'max-runtime': expected a duration like 30s, 5m, 2h, 1d or 1h30m, found '2 hours'"),
    .init(
      name: "zero runtime", yaml: policy("limits: { max-runtime: 0s }\n"), line: 3, column: 24,
      message: "'max-runtime': must be longer than zero; leave it out for no limit"),
    .init(
      name: "zero operations", yaml: policy("limits: { max-operations: 0 }\n"), line: 3, column: 27,
      message: "'max-operations': expected a whole number of at least 1, found 0"),
    .init(
      name: "zero min-unallocated", yaml: policy("conditions: { min-unallocated: 0% }\n"), line: 3,
      column: 32, message: "'min-unallocated': must be greater than zero"),
    .init(
      name: "min-unallocated of 100%", yaml: policy("conditions: { min-unallocated: 100% }\n"),
      line: 3,
      column: 32, message: "'min-unallocated': must be below 100%; no filesystem can meet it"),
    .init(
      name: "unknown time zone", yaml: policy("timezone: Mars/Olympus\n"), line: 3, column: 11,
      message: "'timezone': unknown time zone 'Mars/Olympus'"),
    // filesystems
    .init(
      name: "relative mountpoint", yaml: policy("filesystems: [data]\n"), line: 3, column: 15,
      message: "a mountpoint: expected an absolute path, found 'data'"),
    .init(
      name: "mountpoint twice", yaml: policy("filesystems: [/srv, /srv]\n"), line: 3, column: 21,
      message: "'/srv' is already listed at line 3"),
    .init(
      name: "no mountpoints", yaml: policy("filesystems: []\n"), line: 3, column: 14,
      message:
        "'filesystems': expected at least one of mountpoints; write 'auto' for every btrfs filesystem"
    ),
    .init(
      name: "filesystems word", yaml: policy("filesystems: all\n"), line: 3, column: 14,
      message: "'filesystems': expected 'auto' or a list of mountpoints, found 'all'"),
    // windows
    .init(
      name: "no windows", yaml: policy("windows: []\n"), line: 3, column: 10,
      message: "'windows': expected at least one of windows (days, start, end); leave 'windows' out"
    ),
    .init(
      name: "window without end", yaml: policy("windows:\n  - start: \"01:00\"\n"), line: 4,
      column: 5,
      message: "missing required key 'end' in a window"),
    .init(
      name: "bad time", yaml: policy("windows:\n  - { start: \"1am\", end: \"05:00\" }\n"), line: 4,
      column: 14,
      message: "'start': expected a time of day like \"01:00\" (HH:MM), found '1am'"),
    .init(
      name: "time out of range",
      yaml: policy("windows:\n  - { start: \"01:00\", end: \"25:00\" }\n"),
      line: 4, column: 28,
      message: "'end': expected a time of day from 00:00 to 24:00, found '25:00'"),
    .init(
      name: "empty window", yaml: policy("windows:\n  - { start: \"01:00\", end: \"01:00\" }\n"),
      line: 4,
      column: 28, message: "'end': the window is empty (it starts and ends at 01:00)"),
    .init(
      name: "start at 24:00", yaml: policy("windows:\n  - { start: \"24:00\", end: \"01:00\" }\n"),
      line: 4,
      column: 14, message: "'start': a window cannot start at 24:00"),
    .init(
      name: "bad day",
      yaml: policy("windows:\n  - { days: [mon, tues], start: \"01:00\", end: \"05:00\" }\n"),
      line: 4, column: 19, message: "a day: expected a day (mon, tue, wed, thu, fri, sat, sun)"),
    .init(
      name: "day twice",
      yaml: policy("windows:\n  - { days: [weekdays, fri], start: \"01:00\", end: \"05:00\" }\n"),
      line: 4, column: 24, message: "'days': fri already listed"),
    // rules
    .init(
      name: "no rules", yaml: "version: 1\nname: t\nrules: []\n", line: 3, column: 8,
      message: "'rules': expected at least one of rules"),
    .init(
      name: "duplicate rule name",
      yaml: policy("") + "  - name: r\n    select: { type: metadata }\n", line: 6, column: 11,
      message: "duplicate rule name 'r' (first used at line 4)"),
    .init(
      name: "mixed type", yaml: selecting("{ type: mixed }"), line: 5, column: 21,
      message: "'type': mixed block groups are selected with 'type: data'"),
    .init(
      name: "unknown type", yaml: selecting("{ type: everything }"), line: 5, column: 21,
      message: "'type': expected data, metadata or system, found 'everything'"),
    .init(
      name: "misspelled order", yaml: policy("") + "    order: least-used\n", line: 6, column: 12,
      message:
        "'order': expected one of least-used-first, most-free-first, vaddr, found 'least-used'; did you mean 'least-used-first'?"
    ),
    .init(
      name: "bad on-enospc", yaml: policy("") + "    on-enospc: retry\n", line: 6, column: 16,
      message: "'on-enospc': expected one of stop, skip, found 'retry'"),
    .init(
      name: "zero max-block-groups", yaml: policy("") + "    max-block-groups: 0\n", line: 6,
      column: 23,
      message: "'max-block-groups': expected a whole number of at least 1, found 0"),
    .init(
      name: "unknown profile", yaml: selecting("{ type: data, profiles: [raid7] }"), line: 5,
      column: 38,
      message:
        "'profiles': expected one of single, dup, raid0, raid1, raid10, raid5, raid6, raid1c3, raid1c4, found 'raid7'"
    ),
    .init(
      name: "profile twice", yaml: selecting("{ type: data, profiles: [dup, dup] }"), line: 5,
      column: 43,
      message: "'profiles': dup is already listed"),
    .init(
      name: "device 0", yaml: selecting("{ type: data, devices: [0] }"), line: 5, column: 37,
      message: "'devices': expected a whole number of at least 1, found 0"),
    .init(
      name: "device twice", yaml: selecting("{ type: data, devices: [2, 2] }"), line: 5, column: 40,
      message: "'devices': device 2 is already listed"),
    .init(
      name: "stripes range upside down", yaml: selecting("{ type: data, stripes: 4..2 }"), line: 5,
      column: 36,
      message:
        "'stripes': expected a stripe count like 4 or a range like 2..4, found '4..2': no chunk has at least 4 and at most 2 stripes"
    ),
    .init(
      name: "zero stripes", yaml: selecting("{ type: data, stripes: 0 }"), line: 5, column: 36,
      message:
        "'stripes': expected a stripe count like 4 or a range like 2..4, found '0': every chunk has at least 1 stripe"
    ),
    .init(
      name: "stripes not a number", yaml: selecting("{ type: data, stripes: many }"), line: 5,
      column: 36,
      message: "'stripes': expected a stripe count like 4 or a range like 2..4, found 'many'"),
    .init(
      name: "stripes no fixed profile can have",
      yaml: selecting("{ type: data, profiles: [raid1, single], stripes: 3.. }"), line: 5,
      column: 63,
      message:
        "this selects nothing: chunks of the selected profiles always have the same number of stripes (raid1 2, single 1), outside the range"
    ),
    .init(
      name: "empty device range",
      yaml: selecting("{ type: data, device-range: { device: 2, range: 2GiB..1GiB } }"), line: 5,
      column: 61,
      message:
        "'range': expected a range of device bytes like 100GiB.. or 1GiB..2GiB, found '2GiB..1GiB': it is empty (the end is not after the start)"
    ),
    .init(
      name: "device range without a device",
      yaml: selecting("{ type: data, device-range: { range: 1GiB.. } }"), line: 5, column: 41,
      message: "missing required key 'device'"),
    .init(
      name: "device range of device 0",
      yaml: selecting("{ type: data, device-range: { device: 0, range: 1GiB.. } }"), line: 5,
      column: 51, message: "'device': expected a whole number of at least 1, found 0"),
    .init(
      name: "device range in GB",
      yaml: selecting("{ type: data, device-range: { device: 1, range: 1GB.. } }"), line: 5,
      column: 61,
      message: "'range': expected a range of device bytes like 100GiB.. or 1GiB..2GiB, found '1GB'"),
    .init(
      name: "zero rule max-relocated", yaml: policy("") + "    max-relocated: 0B\n", line: 6,
      column: 20, message: "'max-relocated': must be greater than zero"),
    .init(
      name: "spreading with two goals",
      yaml: policy("") + "    spread-within: 1GiB\n    spread-until-each-device-has: 1GiB\n",
      line: 7, column: 5,
      message: "'spread-until-each-device-has': a spreading rule has one goal"),
    .init(
      name: "spread-until-each-device-has in percent",
      yaml: policy("") + "    spread-until-each-device-has: 10%\n", line: 6, column: 35,
      message:
        "'spread-until-each-device-has': expected a size like 2GiB, 512MiB or 4096B, "
        + "found '10%'"),
    // rules that can never select anything
    .init(
      name: "empty usage range",
      yaml: selecting("{ type: data, usage-at-least: 60%, usage-below: 10% }"),
      line: 5, column: 61,
      message: "this selects nothing: no block group is at least 60% and below 10% used"),
    .init(
      name: "equal usage bounds",
      yaml: selecting("{ type: data, usage-at-least: 10%, usage-below: 10% }"),
      line: 5, column: 61, message: "this selects nothing"),
    .init(
      name: "usage below 0%", yaml: selecting("{ type: data, usage-below: 0% }"), line: 5,
      column: 40,
      message: "this selects nothing: no block group is below 0% used"),
    .init(
      name: "empty usage range string", yaml: selecting("{ type: data, usage: \"60%..10%\" }"),
      line: 5,
      column: 34, message: "this selects nothing: no block group is at least 60% and below 10% used"
    ),
    .init(
      name: "usage two ways", yaml: selecting("{ type: data, usage: 1%..5%, usage-below: 5% }"),
      line: 5,
      column: 27, message: "'usage' and 'usage-at-least'/'usage-below' both set the usage range"),
    .init(
      name: "trigger under the floor",
      yaml: policy("conditions: { min-unallocated: 10% }\n")
        + "    when: { unallocated-below: 5% }\n",
      line: 7, column: 32,
      message:
        "'unallocated-below': this rule can never fire: it needs less than 5% unallocated, and"
        + " 'conditions: min-unallocated' refuses to start below 10%"),
    .init(
      name: "goal below the trigger",
      yaml: policy("")
        + "    when: { unallocated-below: 10% }\n    until: { unallocated-above: 5% }\n",
      line: 7, column: 33,
      message: "'unallocated-above': the goal 5% is below the rule's trigger 10%"),
    .init(
      name: "empty when", yaml: policy("") + "    when: {}\n", line: 6, column: 11,
      message: "'when': expected a trigger (unallocated-below); leave 'when' out for none"),
    .init(
      name: "unreachable goal", yaml: policy("") + "    until: { unallocated-above: 100% }\n",
      line: 6,
      column: 33, message: "'unallocated-above': must be below 100%"),
  ]

  @Test(arguments: cases)
  func reportsTheProblemAtItsNode(_ invalid: InvalidPolicyCase) {
    let diagnostics = policyDiagnostics(invalid.yaml)
    #expect(diagnostics.count == 1, "\(diagnostics)")
    let diagnostic = diagnostics.first
    #expect(diagnostic?.file == "t.yaml")
    #expect(
      diagnostic.map { "\($0.line):\($0.column)" } == "\(invalid.line):\(invalid.column)",
      "\(diagnostics)")
    #expect(diagnostic?.message.contains(invalid.message) == true, "\(diagnostics)")
  }

  @Test func theBaseOfTheseCasesIsValid() throws {
    _ = try PolicyLoader().load(yaml: policy(""), file: "t.yaml")
  }
}
