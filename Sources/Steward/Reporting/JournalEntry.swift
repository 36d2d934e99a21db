import Logging

/// One record in systemd-journald's native protocol (systemd's `JOURNAL_NATIVE_PROTOCOL`): the
/// datagram btrfs-steward sends to `/run/systemd/journal/socket` when its standard error is the
/// journal, so that the priority and the record's fields (FSID, MOUNTPOINT, POLICY, RULE, OPERATION,
/// VADDR, RESULT) are journal fields that `journalctl -p` and `journalctl FSID=…` select on.
public struct JournalEntry: Sendable {
  /// The fields in the order they are sent: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, then the
  /// record's own.
  public private(set) var fields: [(name: String, value: String)] = []

  /// The entry of one log record: its message, priority, `SYSLOG_IDENTIFIER=btrfs-steward`, and
  /// every metadata item as a field named after its key in capitals (`fsid` → `FSID`; characters a
  /// journal field name cannot have become `_`).
  public init(level: Logger.Level, message: String, metadata: Logger.Metadata) {
    fields.append(("MESSAGE", message))
    fields.append(("PRIORITY", String(LogLineFormat.syslogPriority(level))))
    fields.append(("SYSLOG_IDENTIFIER", "btrfs-steward"))
    for key in metadata.keys.sorted() where key != LogLineFormat.locatedKey {
      guard let value = metadata[key] else { continue }
      fields.append((Self.fieldName(key), value.description))
    }
  }

  /// A journal field name for a metadata key: capitals, digits and `_`, not starting with `_` or
  /// a digit (journald drops fields whose names do not have that form, and `_` names are its own).
  public static func fieldName(_ key: String) -> String {
    var name = String(
      key.uppercased().unicodeScalars.map { scalar -> Character in
        ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) ? Character(scalar) : "_"
      })
    while let first = name.first, first == "_" || first.isNumber { name.removeFirst() }
    return name.isEmpty ? "FIELD" : String(name.prefix(64))
  }

  /// The datagram: `NAME=value\n` per field, or, for a value with a line break in it,
  /// `NAME\n`, the value's length as 64-bit little-endian, the value and `\n`.
  public var datagram: [UInt8] {
    var bytes: [UInt8] = []
    for (name, value) in fields {
      let valueBytes = Array(value.utf8)
      bytes += Array(name.utf8)
      if valueBytes.contains(UInt8(ascii: "\n")) {
        bytes.append(UInt8(ascii: "\n"))
        var length = UInt64(valueBytes.count).littleEndian
        withUnsafeBytes(of: &length) { bytes += $0 }
      } else {
        bytes.append(UInt8(ascii: "="))
      }
      bytes += valueBytes
      bytes.append(UInt8(ascii: "\n"))
    }
    return bytes
  }

  /// Reads a datagram back into its fields, in order; `nil` when it is not well formed. The inverse
  /// of `datagram`, for tests and tools.
  public static func parse(_ datagram: [UInt8]) -> [(name: String, value: String)]? {
    var fields: [(name: String, value: String)] = []
    var index = 0
    while index < datagram.count {
      guard
        let end = datagram[index...].firstIndex(where: {
          $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "\n")
        })
      else { return nil }
      let name = String(decoding: datagram[index..<end], as: UTF8.self)
      if datagram[end] == UInt8(ascii: "=") {
        guard let newline = datagram[(end + 1)...].firstIndex(of: UInt8(ascii: "\n")) else {
          return nil
        }
        fields.append((name, String(decoding: datagram[(end + 1)..<newline], as: UTF8.self)))
        index = newline + 1
      } else {
        let start = end + 9
        guard start <= datagram.count else { return nil }
        let length = datagram[(end + 1)..<start].reversed().reduce(UInt64(0)) {
          $0 << 8 | UInt64($1)
        }
        guard length <= UInt64(datagram.count - start), start + Int(length) < datagram.count,
          datagram[start + Int(length)] == UInt8(ascii: "\n")
        else { return nil }
        fields.append(
          (name, String(decoding: datagram[start..<(start + Int(length))], as: UTF8.self)))
        index = start + Int(length) + 1
      }
    }
    return fields
  }
}
