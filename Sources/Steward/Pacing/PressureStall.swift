/// One Linux PSI file (`/proc/pressure/io`, `/proc/pressure/memory`, a cgroup's `io.pressure`),
/// parsed strictly: the file is read as hostile input, and anything but the documented format is
/// an error rather than a guess.
///
/// The format (Documentation/accounting/psi.rst) is one line per kind, `some` first, then `full`
/// (absent for CPU on old kernels):
///
///     some avg10=0.12 avg60=4.42 avg300=3.13 total=14251020
///     full avg10=0.05 avg60=0.68 avg300=0.62 total=3799466
public struct PressureStall: Hashable, Sendable {
  /// The averages and total of one kind of stall.
  public struct Line: Hashable, Sendable {
    /// Percent of the last 10, 60 and 300 seconds stalled.
    public var avg10: Double
    public var avg60: Double
    public var avg300: Double
    /// Microseconds stalled since boot (or since the cgroup was made).
    public var totalMicroseconds: UInt64
  }

  /// At least one task stalled.
  public var some: Line
  /// All non-idle tasks stalled at once, when the file has the line.
  public var full: Line?

  /// The longest text accepted: two lines of four fields with the largest values the kernel
  /// prints, with room to spare.
  public static let maximumLength = 512

  /// Parses the text of a PSI file.
  public init(parsing text: String) throws(PressureError) {
    guard text.utf8.count <= Self.maximumLength else {
      throw .malformed("longer than \(Self.maximumLength) bytes")
    }
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    if lines.last == "" { lines.removeLast() }
    guard lines.count == 1 || lines.count == 2 else {
      throw .malformed(
        "expected a 'some' line and an optional 'full' line, found \(lines.count) lines")
    }
    some = try Self.line(lines[0], kind: "some")
    full = lines.count == 2 ? try Self.line(lines[1], kind: "full") : nil
  }

  private static func line(_ text: Substring, kind: String) throws(PressureError) -> Line {
    let fields = text.split(separator: " ", omittingEmptySubsequences: false)
    guard fields.count == 5, fields[0] == kind else {
      throw .malformed(
        "expected '\(kind) avg10=… avg60=… avg300=… total=…', found '\(text.prefix(80))'")
    }
    return Line(
      avg10: try percent(fields[1], key: "avg10"), avg60: try percent(fields[2], key: "avg60"),
      avg300: try percent(fields[3], key: "avg300"), totalMicroseconds: try total(fields[4]))
  }

  /// `key=D.DD`: the kernel prints a whole part and exactly two decimals, from 0.00 to 100.00.
  private static func percent(_ field: Substring, key: String) throws(PressureError) -> Double {
    let value = try value(field, key: key)
    let parts = value.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 2, (1...3).contains(parts[0].count), parts[1].count == 2,
      parts.allSatisfy({ $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }),
      let number = Double(value), number <= 100
    else {
      throw .malformed("'\(key)' is not a percentage from 0.00 to 100.00: '\(value.prefix(20))'")
    }
    return number
  }

  private static func total(_ field: Substring) throws(PressureError) -> UInt64 {
    let value = try value(field, key: "total")
    guard (1...20).contains(value.count), value.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
      let number = UInt64(value)
    else { throw .malformed("'total' is not a count of microseconds: '\(value.prefix(24))'") }
    return number
  }

  private static func value(_ field: Substring, key: String) throws(PressureError) -> Substring {
    guard field.hasPrefix(key + "=") else {
      throw .malformed("expected '\(key)=', found '\(field.prefix(24))'")
    }
    return field.dropFirst(key.count + 1)
  }
}

/// Why pressure could not be read.
public enum PressureError: Error, Hashable, Sendable, CustomStringConvertible {
  /// A PSI file's text is not in the kernel's format.
  case malformed(String)
  /// A file could not be opened or read (errno), or is not what it must be.
  case unreadable(path: String, reason: String)

  public var description: String {
    switch self {
    case .malformed(let why): "pressure file not in the kernel's PSI format: \(why)"
    case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
    }
  }
}
