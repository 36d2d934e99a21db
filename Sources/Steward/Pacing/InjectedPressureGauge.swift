/// Fault injection for pacing tests: pressure read from a file a test writes, instead of from PSI,
/// so that a test on a real filesystem can raise pressure while a block group is in flight and lower
/// it again when it means to. The file holds the I/O pressure in percent, optionally followed by the
/// memory pressure (`40`, `40 5`); a test replaces it atomically (write, then rename).
///
/// A run uses it only when the environment variable ``environmentVariable`` names the file (see
/// ``PressureSource``); unset, runs read PSI.
public struct InjectedPressureGauge: PressureGauge {
  /// The environment variable naming the file.
  public static let environmentVariable = "BTRFS_STEWARD_PRESSURE_FILE"
  /// The longest file accepted.
  static let maximumLength = 64

  /// The file read at every sample.
  public var path: String

  /// A gauge that reads `path` at every sample.
  public init(path: String) {
    self.path = path
  }

  public func sample() throws(PressureError) -> MachinePressure {
    let text = try PressureFiles.read(path, limit: Self.maximumLength, anyFilesystem: true)
    let fields = text.split(whereSeparator: \.isWhitespace)
    let values = fields.compactMap { Double($0) }.filter { (0...100).contains($0) }
    guard (1...2).contains(fields.count), values.count == fields.count else {
      throw .malformed("'\(path)' is not 'IO [MEMORY]' in percent: '\(text.prefix(40))'")
    }
    return MachinePressure(io: values[0], memory: values.count == 2 ? values[1] : 0)
  }
}
