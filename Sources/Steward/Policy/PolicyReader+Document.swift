import Foundation

extension PolicyReader {
  /// The keys of a policy, in the order the reference documents them.
  static let policyKeys = [
    "version", "name", "filesystems", "windows", "timezone", "conditions", "limits", "rules",
    "scrub", "error-watch", "trim", "pacing",
  ]

  /// The sections that give a policy something to do; it needs at least one.
  static let jobKeys = ["rules", "scrub", "error-watch", "trim"]

  /// The policy `root` describes, or `nil` when anything was reported.
  func policy(from root: YAMLNode?) -> Policy? {
    guard let root else {
      report(
        "the policy is empty; expected a mapping with at least 'version', 'name' and 'rules'",
        at: .start)
      return nil
    }
    guard
      let fields = fields(
        of: root, "the policy", known: Self.policyKeys, required: ["version", "name"])
    else { return nil }
    if Self.jobKeys.allSatisfy({ fields[$0] == nil }) {
      report(
        "missing required key 'rules' in the policy (or a 'scrub', 'error-watch' or 'trim'"
          + " section); a policy without them would never do anything", at: root.mark)
    }
    let version = fields["version"].flatMap(self.version)
    let name = fields["name"].flatMap(self.name)
    let filesystems = fields["filesystems"].flatMap(self.filesystems) ?? .auto
    let windows = fields["windows"].flatMap(self.windows) ?? []
    let timeZone = fields["timezone"].flatMap(self.timeZone) ?? .autoupdatingCurrent
    let conditions = fields["conditions"].flatMap(self.conditions) ?? Conditions()
    let limits = fields["limits"].flatMap(self.limits) ?? Limits()
    let rules: [Rule]? = fields["rules"].map { self.rules($0, conditions: conditions) } ?? []
    let scrub = fields["scrub"].flatMap(self.scrub)
    let errorWatch = fields["error-watch"].flatMap(self.errorWatch)
    let trim = fields["trim"].flatMap(self.trim)
    let pacing = fields["pacing"].flatMap(self.pacing) ?? Pacing()
    guard diagnostics.isEmpty, let version, let name, let rules else { return nil }
    return Policy(
      version: version, name: name, filesystems: filesystems, windows: windows,
      timeZone: timeZone, conditions: conditions, limits: limits, rules: rules, scrub: scrub,
      errorWatch: errorWatch, trim: trim, pacing: pacing)
  }

  private func version(_ field: Field) -> Int? {
    guard let version = integer(field, atLeast: 1) else { return nil }
    guard version == 1 else {
      report(
        "unsupported policy version \(version); this btrfs-steward reads version 1",
        at: field.node.mark)
      return nil
    }
    return version
  }

  /// `auto`, or a list of absolute paths, each given once.
  private func filesystems(_ field: Field) -> FilesystemSelection? {
    let expected = "'auto' or a list of mountpoints"
    if case .scalar = field.node.content {
      guard let text = text(field, expected: expected) else { return nil }
      guard text == "auto" else {
        report(
          "'filesystems': expected \(expected), found \(field.node.summary)", at: field.node.mark)
        return nil
      }
      return .auto
    }
    guard
      let items = list(
        field, of: "mountpoints", emptyHint: "; write 'auto' for every btrfs filesystem")
    else { return nil }
    var paths: [String] = []
    var seen: [String: YAMLMark] = [:]
    for item in items {
      guard let path = text(item, label: "a mountpoint", expected: "an absolute path") else {
        continue
      }
      if !path.hasPrefix("/") {
        report("a mountpoint: expected an absolute path, found \(item.summary)", at: item.mark)
      } else if let first = seen[path] {
        report("'\(path)' is already listed at line \(first.line)", at: item.mark)
      } else {
        seen[path] = item.mark
        paths.append(path)
      }
    }
    return .paths(paths)
  }

  /// `local` (the machine's zone) or an IANA time-zone name.
  private func timeZone(_ field: Field) -> TimeZone? {
    let expected = "'local' or a time-zone name like 'Europe/Paris' or 'UTC'"
    guard let name = text(field, expected: expected) else { return nil }
    if name == "local" { return .autoupdatingCurrent }
    guard let zone = TimeZone(identifier: name) else {
      report("'timezone': unknown time zone '\(name)'; expected \(expected)", at: field.node.mark)
      return nil
    }
    return zone
  }

  private func conditions(_ field: Field) -> Conditions? {
    let keys = ["on-ac-power", "min-unallocated"]
    guard let fields = fields(of: field.node, "'conditions'", known: keys) else { return nil }
    return Conditions(
      requiresACPower: fields["on-ac-power"].flatMap(boolean) ?? false,
      minUnallocated: fields["min-unallocated"].flatMap { positiveSpace($0, belowAll: true) },
      minUnallocatedSource: fields["min-unallocated"].map { source($0.node) })
  }

  private func limits(_ field: Field) -> Limits? {
    let keys = ["max-runtime", "max-relocated", "max-operations", "pause-between"]
    guard let fields = fields(of: field.node, "'limits'", known: keys) else { return nil }
    return Limits(
      maxRuntime: fields["max-runtime"].flatMap { duration($0, positive: true) },
      maxRelocatedBytes: fields["max-relocated"].flatMap(positiveSize),
      maxOperations: fields["max-operations"].flatMap { integer($0, atLeast: 1) },
      pauseBetween: fields["pause-between"].flatMap { duration($0, positive: false) } ?? .zero)
  }

  /// A duration, also in whole milliseconds when `allowingMilliseconds`
  /// (``ValueSyntax/shortDuration(_:)``); when `positive`, zero is refused, and the error says what
  /// leaving the key out means (`whenLeftOut`).
  func duration(
    _ field: Field, positive: Bool, allowingMilliseconds: Bool = false,
    whenLeftOut: String = "for no limit"
  ) -> Duration? {
    let expected =
      allowingMilliseconds ? "a duration like 250ms, 2s or 1m" : "a duration like 30s, 5m or 2h"
    let parse = allowingMilliseconds ? ValueSyntax.shortDuration : ValueSyntax.duration
    guard let duration = value(field, expected: expected, parse) else { return nil }
    guard !positive || duration > .zero else {
      report(
        "'\(field.name)': must be longer than zero; leave it out \(whenLeftOut)",
        at: field.node.mark)
      return nil
    }
    return duration
  }

  /// A size greater than zero.
  func positiveSize(_ field: Field) -> UInt64? {
    guard let bytes = value(field, expected: "a size like 2GiB", ValueSyntax.size) else {
      return nil
    }
    guard bytes > 0 else {
      report("'\(field.name)': must be greater than zero", at: field.node.mark)
      return nil
    }
    return bytes
  }

  /// An amount of space greater than zero; when `belowAll`, a percentage must also be below 100%.
  func positiveSpace(_ field: Field, belowAll: Bool) -> SpaceAmount? {
    let expected = "a size like 2GiB or a percentage like 10%"
    guard let amount = value(field, expected: expected, ValueSyntax.spaceAmount) else { return nil }
    switch amount {
    case .bytes(0), .percent(0):
      report("'\(field.name)': must be greater than zero", at: field.node.mark)
      return nil
    case .percent(let percent) where belowAll && percent >= 100:
      report("'\(field.name)': must be below 100%; no filesystem can meet it", at: field.node.mark)
      return nil
    default:
      return amount
    }
  }
}
