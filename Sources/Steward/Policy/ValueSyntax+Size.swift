extension ValueSyntax {
  /// The binary units a size may carry, with their multipliers. Matched case-insensitively.
  static let sizeUnits: [(name: String, bytes: UInt64)] = [
    ("B", 1), ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
    ("PiB", 1 << 50), ("EiB", 1 << 60),
  ]

  /// A size in bytes: a number and a binary unit, for example `4096B`, `512KiB`, `1.5GiB`, `2 TiB`.
  ///
  /// A unit is required. Only binary units are taken: `G`, `GB` and friends are refused with a hint,
  /// because `GB` means 10⁹ bytes to some and 2³⁰ to others, and btrfs-progs prints binary units.
  /// Fractions are rounded to the nearest byte.
  public static func size(_ text: String) throws(ValueSyntaxError) -> UInt64 {
    try size(text, expected: "expected a size like 2GiB, 512MiB or 4096B")
  }

  /// ``size(_:)`` with `example` opening its error messages.
  static func size(_ text: String, expected example: String) throws(ValueSyntaxError) -> UInt64 {
    let body = trimmed(text)
    if body.hasPrefix("-") {
      throw ValueSyntaxError("\(example), found '\(body)': a size cannot be negative")
    }
    guard let (whole, fraction, rest) = leadingNumber(body) else {
      throw ValueSyntaxError("\(example), found '\(body)'")
    }
    let unitText = trimmed(String(rest))
    guard !unitText.isEmpty else {
      throw ValueSyntaxError("\(example), found '\(body)': the unit is missing")
    }
    guard let unit = sizeUnits.first(where: { $0.name.lowercased() == unitText.lowercased() })
    else {
      throw ValueSyntaxError("\(example), found '\(body)'\(unitHint(String(unitText)))")
    }
    let (product, overflow) = whole.multipliedReportingOverflow(by: unit.bytes)
    let extra = (fraction * Double(unit.bytes)).rounded()
    let (total, overflowAgain) = product.addingReportingOverflow(UInt64(extra))
    guard !overflow, !overflowAgain else {
      throw ValueSyntaxError("\(example), found '\(body)': too large")
    }
    return total
  }

  /// A hint for a unit that is not one of ``sizeUnits``: which binary unit was probably meant.
  private static func unitHint(_ unit: String) -> String {
    let letters = ["K", "M", "G", "T", "P", "E"]
    let upper = unit.uppercased()
    guard let letter = letters.first(where: { upper == $0 || upper == $0 + "B" }) else {
      return ": units are B, KiB, MiB, GiB, TiB, PiB and EiB"
    }
    return ": write '\(letter)iB' (btrfs-steward takes binary units only, to avoid any doubt"
      + " between 10⁹ and 2³⁰)"
  }
}
