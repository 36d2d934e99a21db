import ArgumentParser
import Foundation
import Steward

/// Options shared by every command that prints a result.
struct OutputOptions: ParsableArguments {
  @Flag(name: .long, help: "Print JSON for machines instead of text for people.")
  var json = false

  @OptionGroup var logging: LogOptions
}

/// Prints a value as pretty, key-sorted JSON on standard output, with the `schema` and
/// `schemaVersion` of its output (docs/json.md).
func printJSON<Value: Encodable>(_ value: Value, schema: JSONOutput<Value>.Schema) throws {
  print(
    String(decoding: try JSONCoding.encoder().encode(JSONOutput(schema, value)), as: UTF8.self))
}
