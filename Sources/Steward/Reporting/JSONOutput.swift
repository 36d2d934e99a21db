/// A `--json` output: the value's own fields, plus `schema` (which output it is) and
/// `schemaVersion`, which docs/json.md and the schema files under docs/schemas describe.
public struct JSONOutput<Value: Encodable>: Encodable {
  /// The outputs, each with its schema file `docs/schemas/<name>.schema.json`.
  public enum Schema: String, Sendable, CaseIterable {
    case usage
    case plan
    case status
    case validate
    /// `run --json`, `resume --json`: one event per line.
    case runEvents = "run-events"
    /// Layout files, `layout save -o FILE`.
    case layout
  }

  /// Raised when a field changes meaning or goes away; new fields do not raise it.
  public static var schemaVersion: Int { 1 }

  public var schema: Schema
  public var value: Value

  public init(_ schema: Schema, _ value: Value) {
    self.schema = schema
    self.value = value
  }

  private enum CodingKeys: String, CodingKey {
    case schema
    case schemaVersion
  }

  /// The value's fields and the two of the envelope, in one object.
  public func encode(to encoder: any Encoder) throws {
    try value.encode(to: encoder)
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(schema.rawValue, forKey: .schema)
    try container.encode(Self.schemaVersion, forKey: .schemaVersion)
  }
}
