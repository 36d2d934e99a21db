import Btrfs

extension PolicyReader {
  /// The keys of a rule's `select`.
  static let selectionKeys = [
    "type", "profiles", "usage-at-least", "usage-below", "usage", "devices", "stripes",
    "device-range",
  ]

  /// `select`: a block-group type and optional profiles, usage bounds, devices, stripe counts and a
  /// device range. Refuses a selection that can match no block group.
  func selection(_ field: Field) -> Selection? {
    guard
      let fields = fields(
        of: field.node, "'select'", known: Self.selectionKeys, required: ["type"])
    else { return nil }
    let type = fields["type"].flatMap(blockGroupType)
    let profiles = fields["profiles"].map(self.profiles)
    let usage = usageBounds(fields)
    var positions: [UInt64: PolicySource] = [:]
    let devices = fields["devices"].map { self.devices($0, positions: &positions) }
    let stripes = fields["stripes"].map { stripeRange($0, profiles: profiles ?? nil) }
    let deviceRange = fields["device-range"].map { self.deviceRange($0, positions: &positions) }
    // `.some(nil)`: given but invalid (and reported).
    guard let type, let usage, profiles != .some(nil), devices != .some(nil),
      stripes != .some(nil), deviceRange != .some(nil)
    else { return nil }
    return Selection(
      type: type, profiles: profiles ?? nil, usageAtLeast: usage.atLeast, usageBelow: usage.below,
      devices: devices ?? nil, stripes: stripes ?? nil, deviceRange: deviceRange ?? nil,
      sources: DeviceSources(positions))
  }

  private func blockGroupType(_ field: Field) -> BlockGroupType? {
    let expected = "data, metadata or system"
    guard let text = text(field, expected: expected) else { return nil }
    switch text {
    case "data": return .data
    case "metadata": return .metadata
    case "system": return .system
    case "mixed":
      report("'type': mixed block groups are selected with 'type: data'", at: field.node.mark)
      return nil
    default:
      report("'type': expected \(expected), found \(field.node.summary)", at: field.node.mark)
      return nil
    }
  }

  /// One profile name or a list of them, each given once.
  private func profiles(_ field: Field) -> Set<Profile>? {
    let names = Profile.allCases.map(\.rawValue).joined(separator: ", ")
    let nodes: [YAMLNode]
    if case .scalar = field.node.content {
      nodes = [field.node]
    } else {
      guard let items = list(field, of: "profiles (\(names))") else { return nil }
      nodes = items
    }
    var profiles: Set<Profile> = []
    var valid = true
    for node in nodes {
      guard let text = text(node, label: "'profiles'", expected: "a profile (\(names))") else {
        valid = false
        continue
      }
      guard let profile = Profile(rawValue: text.lowercased()) else {
        report("'profiles': expected one of \(names), found \(node.summary)", at: node.mark)
        valid = false
        continue
      }
      if !profiles.insert(profile).inserted {
        report("'profiles': \(profile.rawValue) is already listed", at: node.mark)
        valid = false
      }
    }
    return valid ? profiles : nil
  }

  /// The usage bounds from `usage-at-least` and `usage-below`, or from `usage` (a range), but not
  /// both ways. `nil` when they are invalid or no block group can fall between them.
  private func usageBounds(_ fields: Fields) -> (atLeast: Double?, below: Double?)? {
    let expected = "a percentage like 10%"
    let lowField = fields["usage-at-least"]
    let highField = fields["usage-below"]
    var atLeast = lowField.flatMap { value($0, expected: expected, ValueSyntax.percent) }
    var below = highField.flatMap { value($0, expected: expected, ValueSyntax.percent) }
    guard lowField == nil || atLeast != nil, highField == nil || below != nil else { return nil }
    var boundNode = highField?.node
    if let range = fields["usage"] {
      guard lowField == nil, highField == nil else {
        report(
          "'usage' and 'usage-at-least'/'usage-below' both set the usage range; use one or the"
            + " other", at: range.keyMark)
        return nil
      }
      let expected = "a usage range like 10%..60%"
      guard let bounds = value(range, expected: expected, ValueSyntax.usageRange) else {
        return nil
      }
      (atLeast, below) = bounds
      boundNode = range.node
    }
    if let below, let boundNode {
      if below == 0 {
        report("this selects nothing: no block group is below 0% used", at: boundNode.mark)
        return nil
      }
      if let atLeast, atLeast >= below {
        report(
          "this selects nothing: no block group is at least \(SpaceAmount.percent(atLeast)) and"
            + " below \(SpaceAmount.percent(below)) used", at: boundNode.mark)
        return nil
      }
    }
    return (atLeast, below)
  }

  /// A list of device ids (1 or more), each given once; where each is written goes to `positions`.
  private func devices(_ field: Field, positions: inout [UInt64: PolicySource]) -> Set<UInt64>? {
    guard let items = list(field, of: "device ids (as `btrfs filesystem show` prints them)") else {
      return nil
    }
    var devices: Set<UInt64> = []
    var valid = true
    for item in items {
      guard let id = integer(item, label: "'devices'", atLeast: 1) else {
        valid = false
        continue
      }
      if !devices.insert(UInt64(id)).inserted {
        report("'devices': device \(id) is already listed", at: item.mark)
        valid = false
      }
      positions[UInt64(id)] = source(item)
    }
    return valid ? devices : nil
  }

  /// `stripes`: a stripe count or range. Refused when `profiles` only holds profiles whose chunks
  /// never have a stripe count in the range (raid1 always has 2).
  private func stripeRange(_ field: Field, profiles: Set<Profile>?) -> ClosedRange<Int>? {
    guard
      let range = value(
        field, expected: "a stripe count like 4 or a range like 2..4", ValueSyntax.stripeRange)
    else { return nil }
    if let profiles, !profiles.isEmpty,
      profiles.allSatisfy({ $0.fixedStripeCount.map { !range.contains($0) } ?? false })
    {
      let counts = profiles.sorted { $0.rawValue < $1.rawValue }.map {
        "\($0.rawValue) \($0.fixedStripeCount!)"
      }
      report(
        "this selects nothing: chunks of the selected profiles always have the same number of"
          + " stripes (\(counts.joined(separator: ", "))), outside the range", at: field.node.mark)
      return nil
    }
    return range
  }

  /// `device-range`: `{ device: ID, range: "START..END" }`, the block groups with a stripe on the
  /// device that overlaps the range of its bytes.
  private func deviceRange(
    _ field: Field, positions: inout [UInt64: PolicySource]
  ) -> DeviceRange? {
    guard
      let fields = fields(
        of: field.node, "'device-range'", known: ["device", "range"],
        required: ["device", "range"])
    else { return nil }
    let device = fields["device"].flatMap { integer($0, atLeast: 1) }
    let range = fields["range"].flatMap {
      value($0, expected: "a range of device bytes like 100GiB..", ValueSyntax.byteRange)
    }
    guard let device, let range, let deviceField = fields["device"] else { return nil }
    positions[UInt64(device)] = positions[UInt64(device)] ?? source(deviceField.node)
    return DeviceRange(devid: UInt64(device), start: range.start, end: range.end)
  }
}
