/// A number of bytes, printed the way btrfs-progs prints sizes (binary units, two decimals).
public struct ByteCount: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The number of bytes.
  public var bytes: UInt64

  public init(_ bytes: UInt64) { self.bytes = bytes }

  private static let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]

  /// For example `0.00B`, `512.00KiB`, `1.50GiB`.
  public var description: String {
    var value = Double(bytes)
    var unit = 0
    while value >= 1024, unit < Self.units.count - 1 {
      value /= 1024
      unit += 1
    }
    let hundredths = Int((value * 100).rounded())
    let fraction = hundredths % 100
    return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)\(Self.units[unit])"
  }

  public static func < (lhs: Self, rhs: Self) -> Bool { lhs.bytes < rhs.bytes }
}
