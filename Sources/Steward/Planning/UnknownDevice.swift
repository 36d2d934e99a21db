/// A device that a rule's selection names (`devices`, `device-range`) and the filesystem does not
/// have: the policy's mistake on this filesystem, found once the filesystem is known (`validate`
/// knows no filesystem). A run refuses to start on it, naming where the id is written.
public struct UnknownDevice: Error, Hashable, Sendable, CustomStringConvertible {
  /// The rule concerned.
  public var rule: String
  /// The device id the rule names.
  public var devid: UInt64
  /// The filesystem's device ids.
  public var devices: [UInt64]
  /// Where the id is written, when the policy was read from a file.
  public var source: PolicySource?

  /// `file:line:column: error: …`.
  public var description: String {
    (source.map { "\($0): error: " } ?? "error: ")
      + "rule '\(rule)' selects device \(devid), which this filesystem does not have (its devices: "
      + devices.map(String.init).joined(separator: ", ")
      + "); device ids are per filesystem, as `btrfs filesystem show` prints them"
  }
}

extension Policy {
  /// Every device a rule selects that is not among `devids`, the filesystem's, in rule order.
  public func unknownDevices(devids: [UInt64]) -> [UnknownDevice] {
    let known = Set(devids)
    let sorted = devids.sorted()
    return rules.flatMap { rule in
      rule.select.namedDevices.subtracting(known).sorted().map {
        UnknownDevice(
          rule: rule.name, devid: $0, devices: sorted, source: rule.select.sources.positions[$0])
      }
    }
  }
}
