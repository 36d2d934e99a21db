import Foundation

extension Plan {
  /// The plan as pretty, key-sorted JSON with ISO-8601 dates.
  public func json() throws -> Data {
    try JSONCoding.encoder().encode(self)
  }

  /// The plan for a person: a heading, a table of operations, the predicted totals, and what each
  /// rule did and why.
  public func rendered() -> String {
    var lines = [heading]
    if operations.isEmpty {
      lines.append("Nothing to do.")
    } else {
      lines.append(contentsOf: table)
    }
    lines.append("")
    lines.append(totals)
    lines.append(contentsOf: devices)
    lines.append("")
    lines.append("Rules:")
    for report in rules {
      lines.append("  \(report.rule): \(report.explanation)")
    }
    if !notes.isEmpty {
      lines.append("")
      lines.append("Notes:")
      lines.append(contentsOf: notes.map { "  \($0)" })
    }
    return lines.joined(separator: "\n")
  }

  private var heading: String {
    var lines = [
      "Plan for \(mountpoint.map { "\(fsid) at \($0)" } ?? fsid), policy \(policyName) "
        + "(\(policyDigest.prefix(19))…)",
      "Layout captured \(layout.capturedAt.formatted(.iso8601)): \(layout.blockGroupCount) block "
        + "groups, \(ByteCount(layout.unallocatedBytes)) of \(ByteCount(layout.totalBytes)) unallocated",
    ]
    if outsideWindow {
      lines.append(
        "Outside the policy's windows at \(plannedFor.formatted(.iso8601)): a run would not start.")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// `relocate X, unallocated A → B (+C), block groups N → M`.
  private var totals: String {
    let gained = outcome.unallocatedGained
    let sign = gained < 0 ? "-" : "+"
    return "Relocate \(ByteCount(outcome.relocatedBytes)), unallocated "
      + "\(ByteCount(outcome.unallocatedBefore)) → \(ByteCount(outcome.unallocatedAfter)) "
      + "(\(sign)\(ByteCount(gained.magnitude))), block groups "
      + "\(outcome.blockGroupsBefore) → \(outcome.blockGroupsAfter)"
  }

  /// One line per device: its unallocated space before and after, and how much of it no new chunk
  /// could use.
  private var devices: [String] {
    (outcome.devices ?? []).map { device in
      "  Device \(device.devid) \(device.path) (\(ByteCount(device.sizeBytes))): unallocated "
        + "\(ByteCount(device.unallocatedBeforeBytes)) → \(ByteCount(device.unallocatedAfterBytes)), "
        + "unusable now \(ByteCount(device.unallocatableSoftBeforeBytes)) → "
        + "\(ByteCount(device.unallocatableSoftAfterBytes))"
    }
  }

  private var table: [String] {
    let header = ["#", "vaddr", "type/profile", "size", "used", "usage", "rule"]
    let rows = operations.map { operation in
      let target = operation.target
      return [
        "\(operation.index)", "\(target.vaddr)",
        "\(target.type.rawValue)/\(target.profile.rawValue)"
          + (operation.convert.map { "→\($0.rawValue)" } ?? ""),
        ByteCount(target.length).description, ByteCount(target.used).description,
        String(format: "%.1f%%", target.usagePercent), operation.rule,
      ]
    }
    let widths = header.indices.map { column in
      ([header] + rows).map { $0[column].count }.max() ?? 0
    }
    let leftAligned: Set<Int> = [2, 6]
    return ([header] + rows).map { row in
      row.indices.map { column in
        let padding = String(repeating: " ", count: widths[column] - row[column].count)
        guard leftAligned.contains(column) else { return padding + row[column] }
        return column == row.count - 1 ? row[column] : row[column] + padding
      }.joined(separator: "  ")
    }
  }
}
