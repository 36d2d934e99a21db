import Foundation

/// The JSON conventions of plans, layout files and `--json` output: ISO-8601 dates, sorted keys,
/// pretty printing.
public enum JSONCoding {
  /// An encoder that writes these conventions.
  public static func encoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    return encoder
  }

  /// A decoder that reads them.
  public static func decoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return decoder
  }
}
