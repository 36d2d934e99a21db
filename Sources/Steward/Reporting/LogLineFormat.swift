import Logging

/// How btrfs-steward writes one log record as one line on standard error: for the systemd journal's
/// stream (when its native socket does not take a record), prefixed with the record's syslog
/// priority (`<4>message key=value`, which journald reads as the priority and strips), and for a
/// person in the one style of every error and warning, `btrfs-steward: error: message key=value`
/// (notices and below: the message alone).
public enum LogLineFormat {
  /// The metadata key that marks a message already in the `file:line:column: error: …` form of
  /// policy diagnostics: it gets no `btrfs-steward: error:` prefix, and the key itself is never
  /// written.
  public static let locatedKey = "located"

  /// The keys that are journal fields of a run's records (FSID, MOUNTPOINT, POLICY, RULE,
  /// OPERATION, VADDR, RESULT): context for the journal, whose messages already say it in words, so
  /// a person's line leaves them out.
  public static let journalFieldKeys: Set<String> = [
    "fsid", "mountpoint", "policy", "rule", "operation", "vaddr", "result",
  ]

  /// The line for one record, without a trailing newline. Metadata follows the message as
  /// `key=value` in key order; a value with spaces, quotes, `=` or nothing in it is quoted. Line
  /// breaks and other control characters are escaped, so that a record is always one line.
  public static func line(
    level: Logger.Level, message: String, metadata: Logger.Metadata, journald: Bool
  ) -> String {
    let located = metadata[locatedKey] != nil
    var line =
      journald
      ? "<\(syslogPriority(level))>"
      : level >= .warning && !located ? "btrfs-steward: \(level.rawValue): " : ""
    line += escaped(message)
    for key in metadata.keys.sorted()
    where key != locatedKey && (journald || !journalFieldKeys.contains(key)) {
      guard let value = metadata[key] else { continue }
      line += " \(escaped(key))=\(quotedIfNeeded(value.description))"
    }
    return line
  }

  /// The syslog priority of a level (syslog(3)): 2 critical, 3 error, 4 warning, 5 notice, 6 info,
  /// 7 debug (and trace).
  public static func syslogPriority(_ level: Logger.Level) -> Int {
    switch level {
    case .critical: 2
    case .error: 3
    case .warning: 4
    case .notice: 5
    case .info: 6
    case .debug, .trace: 7
    }
  }

  /// Whether standard error is connected to the journal: systemd sets `JOURNAL_STREAM` to
  /// `DEVICE:INODE` (decimal) of the stream it connects, and only a descriptor with that device and
  /// inode is that stream (a child whose standard error was redirected inherits the variable but
  /// not the stream).
  public static func isJournalStream(_ variable: String?, device: UInt64, inode: UInt64) -> Bool {
    guard let variable else { return false }
    let parts = variable.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, let expectedDevice = UInt64(parts[0]),
      let expectedInode = UInt64(parts[1])
    else { return false }
    return expectedDevice == device && expectedInode == inode
  }

  private static func quotedIfNeeded(_ value: String) -> String {
    let plain =
      !value.isEmpty
      && !value.unicodeScalars.contains {
        $0 == " " || $0 == "\"" || $0 == "=" || $0.value < 0x20 || $0.value == 0x7F
      }
    if plain { return value }
    var quoted = "\""
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": quoted += "\\\""
      case "\\": quoted += "\\\\"
      default: quoted += escaped(scalar)
      }
    }
    return quoted + "\""
  }

  private static func escaped(_ text: String) -> String {
    text.unicodeScalars.reduce(into: "") { $0 += escaped($1) }
  }

  private static func escaped(_ scalar: Unicode.Scalar) -> String {
    switch scalar {
    case "\n": return "\\n"
    case "\r": return "\\r"
    case "\t": return "\\t"
    default:
      guard scalar.value < 0x20 || scalar.value == 0x7F else { return String(scalar) }
      let hex = String(scalar.value, radix: 16, uppercase: true)
      return "\\x" + (hex.count == 1 ? "0" + hex : hex)
    }
  }
}
