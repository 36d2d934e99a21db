import CYAML

/// The events of one YAML text, read with libyaml's parser. Owns the parser and a copy of the input,
/// and frees both when it goes away.
final class YAMLEventStream {
  private let parser: UnsafeMutablePointer<yaml_parser_t>
  private let input: UnsafeMutableBufferPointer<UInt8>

  init(_ text: String) {
    input = .allocate(capacity: text.utf8.count)
    _ = input.initialize(from: text.utf8)
    parser = .allocate(capacity: 1)
    yaml_parser_initialize(parser)
    yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
    yaml_parser_set_input_string(parser, input.baseAddress, input.count)
  }

  deinit {
    yaml_parser_delete(parser)
    parser.deallocate()
    input.deallocate()
  }

  /// The next event, or libyaml's complaint about the text.
  func next() throws(YAMLError) -> YAMLEvent {
    var event = yaml_event_t()
    guard yaml_parser_parse(parser, &event) == 1 else { throw parserError() }
    defer { yaml_event_delete(&event) }
    return YAMLEvent(copying: event)
  }

  /// libyaml's error state as a ``YAMLError``: its problem text, the context it was parsing in,
  /// and the position (reader errors only know a byte offset, which is turned into a position).
  private func parserError() -> YAMLError {
    let state = parser.pointee
    guard state.error != YAML_MEMORY_ERROR else { return YAMLError("out of memory", at: .start) }
    var message = state.problem.map { String(cString: $0) } ?? "unreadable YAML"
    if state.error == YAML_READER_ERROR {
      if state.problem_value >= 0 {
        let hex = String(state.problem_value, radix: 16, uppercase: true)
        message += " (byte or character 0x\(hex))"
      }
      return YAMLError(message, at: mark(ofByteOffset: state.problem_offset))
    }
    if let context = state.context {
      let contextMark = YAMLMark(libyaml: state.context_mark)
      message += " (\(String(cString: context)) that starts at line \(contextMark.line), column"
      message += " \(contextMark.column))"
    }
    return YAMLError(message, at: YAMLMark(libyaml: state.problem_mark))
  }

  /// The line and column (in characters) of a byte offset in the input.
  private func mark(ofByteOffset offset: Int) -> YAMLMark {
    var mark = YAMLMark.start
    for byte in input.prefix(offset) {
      if byte == UInt8(ascii: "\n") {
        mark.line += 1
        mark.column = 1
      } else if byte & 0b1100_0000 != 0b1000_0000 {
        mark.column += 1
      }
    }
    return mark
  }
}
