import Foundation
import Glibc

/// Writes the JSON of one journal line, byte for byte as `JSONEncoder` with sorted keys, slashes
/// unescaped and ISO-8601 dates writes it, but without `Codable`: the first encoding of each
/// `Codable` type in a process instantiates its generic coding containers, and the Swift runtime
/// checks their requirements by scanning every protocol conformance of the process — about 15
/// million instructions for a run's first records, paid in the executor's thread. This writer is
/// concrete code with nothing to instantiate.
///
/// Callers write an object's keys in ascending order of their UTF-8 bytes (the order of
/// `.sortedKeys`) and leave out `nil` optionals (as `encodeIfPresent` does); the journal's tests
/// compare the bytes with `JSONEncoder`'s for every record type.
struct JournalLineWriter {
  /// The JSON written so far.
  private(set) var bytes: [UInt8] = []
  /// Why a value could not be written (a number JSON cannot hold), if one could not.
  private(set) var failure: String?

  init() {
    bytes.reserveCapacity(256)
  }

  // MARK: Structure

  /// Writes an object whose members `members` writes.
  mutating func object(_ members: (inout Self) -> Void) {
    bytes.append(UInt8(ascii: "{"))
    members(&self)
    bytes.append(UInt8(ascii: "}"))
  }

  /// Writes an array whose elements `elements` writes, each with ``element(_:)``.
  mutating func array(_ elements: (inout Self) -> Void) {
    bytes.append(UInt8(ascii: "["))
    elements(&self)
    bytes.append(UInt8(ascii: "]"))
  }

  /// Writes the next element of the array being written.
  mutating func element(_ value: (inout Self) -> Void) {
    if bytes.last != UInt8(ascii: "[") { bytes.append(UInt8(ascii: ",")) }
    value(&self)
  }

  /// Writes an array of `elements`, each written by `write`.
  mutating func array<Elements: Sequence>(
    _ elements: Elements, _ write: (inout Self, Elements.Element) -> Void
  ) {
    array { json in
      for value in elements {
        json.element { write(&$0, value) }
      }
    }
  }

  /// Starts the member `name` of the object being written; its value follows.
  mutating func key(_ name: StaticString) {
    if bytes.last != UInt8(ascii: "{") { bytes.append(UInt8(ascii: ",")) }
    bytes.append(UInt8(ascii: "\""))
    name.withUTF8Buffer { bytes.append(contentsOf: $0) }
    bytes.append(UInt8(ascii: "\""))
    bytes.append(UInt8(ascii: ":"))
  }

  /// Writes the member `name` as an object whose members `members` writes.
  mutating func key(_ name: StaticString, object members: (inout Self) -> Void) {
    key(name)
    object(members)
  }

  // MARK: Members

  mutating func key(_ name: StaticString, _ value: String) {
    key(name)
    string(value)
  }

  mutating func key(_ name: StaticString, _ value: String?) {
    if let value { key(name, value) }
  }

  mutating func key(_ name: StaticString, _ value: UInt64) {
    key(name)
    number(value)
  }

  mutating func key(_ name: StaticString, _ value: UInt64?) {
    if let value { key(name, value) }
  }

  mutating func key(_ name: StaticString, _ value: Int) {
    key(name)
    number(Int64(value))
  }

  mutating func key(_ name: StaticString, _ value: Int?) {
    if let value { key(name, value) }
  }

  mutating func key(_ name: StaticString, _ value: Int32) {
    key(name)
    number(Int64(value))
  }

  mutating func key(_ name: StaticString, _ value: Double) {
    key(name)
    number(value)
  }

  mutating func key(_ name: StaticString, _ value: Double?) {
    if let value { key(name, value) }
  }

  mutating func key(_ name: StaticString, _ value: Bool) {
    key(name)
    bytes.append(contentsOf: value ? Self.trueBytes : Self.falseBytes)
  }

  mutating func key(_ name: StaticString, _ value: Date) {
    key(name)
    date(value)
  }

  // MARK: Values

  /// Writes `value` quoted, escaping what `JSONEncoder` escapes: `"`, `\` and the control
  /// characters (as `\b`, `\t`, `\n`, `\f`, `\r` or `\u00xx`); everything else as it is.
  mutating func string(_ value: String) {
    bytes.append(UInt8(ascii: "\""))
    for byte in value.utf8 {
      switch byte {
      case UInt8(ascii: "\""), UInt8(ascii: "\\"):
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(byte)
      case 0x08: escape(UInt8(ascii: "b"))
      case 0x09: escape(UInt8(ascii: "t"))
      case 0x0A: escape(UInt8(ascii: "n"))
      case 0x0C: escape(UInt8(ascii: "f"))
      case 0x0D: escape(UInt8(ascii: "r"))
      case 0..<0x20:
        bytes.append(contentsOf: Self.unicodeEscape)
        bytes.append(Self.hexDigits[Int(byte >> 4)])
        bytes.append(Self.hexDigits[Int(byte & 0xF)])
      default:
        bytes.append(byte)
      }
    }
    bytes.append(UInt8(ascii: "\""))
  }

  /// Writes `value` in decimal.
  mutating func number(_ value: UInt64) {
    let start = bytes.count
    var rest = value
    repeat {
      bytes.append(UInt8(ascii: "0") + UInt8(rest % 10))
      rest /= 10
    } while rest > 0
    bytes[start...].reverse()
  }

  /// Writes `value` in decimal.
  mutating func number(_ value: Int64) {
    if value < 0 { bytes.append(UInt8(ascii: "-")) }
    number(value.magnitude)
  }

  /// Writes `value` as `JSONEncoder` does: the shortest decimal that reads back as it
  /// (`description`), without a trailing `.0`. A value that is not finite cannot be written: it is
  /// the ``failure``.
  mutating func number(_ value: Double) {
    guard value.isFinite else {
      failure = failure ?? "\(value) cannot be written in JSON"
      bytes.append(UInt8(ascii: "0"))
      return
    }
    var text = value.description
    if text.hasSuffix(".0") { text.removeLast(2) }
    bytes.append(contentsOf: text.utf8)
  }

  /// Writes `value` as `JSONEncoder`'s `.iso8601` does: UTC, to the second (rounded down), as
  /// `2026-12-01T17:10:00Z`, for dates of the Gregorian calendar (from 1583 on).
  mutating func date(_ value: Date) {
    var seconds = time_t(value.timeIntervalSince1970.rounded(.down))
    var parts = tm()
    gmtime_r(&seconds, &parts)
    bytes.append(UInt8(ascii: "\""))
    padded(Int(parts.tm_year) + 1900, width: 4)
    bytes.append(UInt8(ascii: "-"))
    padded(Int(parts.tm_mon) + 1, width: 2)
    bytes.append(UInt8(ascii: "-"))
    padded(Int(parts.tm_mday), width: 2)
    bytes.append(UInt8(ascii: "T"))
    padded(Int(parts.tm_hour), width: 2)
    bytes.append(UInt8(ascii: ":"))
    padded(Int(parts.tm_min), width: 2)
    bytes.append(UInt8(ascii: ":"))
    padded(Int(parts.tm_sec), width: 2)
    bytes.append(UInt8(ascii: "Z"))
    bytes.append(UInt8(ascii: "\""))
  }

  // MARK: Details

  private static let trueBytes = Array("true".utf8)
  private static let falseBytes = Array("false".utf8)
  private static let unicodeEscape = Array(#"\u00"#.utf8)
  private static let hexDigits = Array("0123456789abcdef".utf8)

  private mutating func escape(_ letter: UInt8) {
    bytes.append(UInt8(ascii: "\\"))
    bytes.append(letter)
  }

  /// Writes `value` (not negative) with leading zeros to `width` digits.
  private mutating func padded(_ value: Int, width: Int) {
    let start = bytes.count
    number(UInt64(value))
    let missing = width - (bytes.count - start)
    if missing > 0 {
      bytes.insert(contentsOf: repeatElement(UInt8(ascii: "0"), count: missing), at: start)
    }
  }
}
