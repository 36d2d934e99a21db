import CYAML

/// A Swift copy of one libyaml event, taken before the C event is freed.
struct YAMLEvent {
  enum Kind {
    case streamStart
    case streamEnd
    case documentStart
    case documentEnd
    case alias
    case scalar(String, YAMLScalarStyle)
    case sequenceStart
    case sequenceEnd
    case mappingStart
    case mappingEnd
  }

  var kind: Kind
  var mark: YAMLMark
  var tag: String?

  /// Copies what the tree builder needs out of `event`; the caller still owns and frees it.
  init(copying event: yaml_event_t) {
    mark = YAMLMark(libyaml: event.start_mark)
    tag = nil
    switch event.type {
    case YAML_STREAM_START_EVENT: kind = .streamStart
    case YAML_DOCUMENT_START_EVENT: kind = .documentStart
    case YAML_DOCUMENT_END_EVENT: kind = .documentEnd
    case YAML_ALIAS_EVENT: kind = .alias
    case YAML_SCALAR_EVENT:
      let scalar = event.data.scalar
      let text = Self.string(scalar.value, length: scalar.length) ?? ""
      kind = .scalar(text, YAMLScalarStyle(libyaml: scalar.style))
      tag = Self.string(scalar.tag)
    case YAML_SEQUENCE_START_EVENT:
      kind = .sequenceStart
      tag = Self.string(event.data.sequence_start.tag)
    case YAML_SEQUENCE_END_EVENT: kind = .sequenceEnd
    case YAML_MAPPING_START_EVENT:
      kind = .mappingStart
      tag = Self.string(event.data.mapping_start.tag)
    case YAML_MAPPING_END_EVENT: kind = .mappingEnd
    default: kind = .streamEnd
    }
  }

  /// A NUL-terminated libyaml string (anchors, tags), or `length` bytes of one (scalar values,
  /// which may hold NULs).
  private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, length: Int? = nil)
    -> String?
  {
    guard let pointer else { return nil }
    guard let length else { return String(cString: pointer) }
    return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
  }
}

extension YAMLMark {
  /// A libyaml mark (0-based) as a 1-based mark.
  init(libyaml mark: yaml_mark_t) {
    self.init(line: mark.line + 1, column: mark.column + 1)
  }
}

extension YAMLScalarStyle {
  init(libyaml style: yaml_scalar_style_t) {
    switch style {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE: self = .singleQuoted
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: self = .doubleQuoted
    case YAML_LITERAL_SCALAR_STYLE: self = .literal
    case YAML_FOLDED_SCALAR_STYLE: self = .folded
    default: self = .plain
    }
  }
}
