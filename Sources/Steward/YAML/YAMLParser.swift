/// Reads one YAML document into a ``YAMLNode`` tree, with libyaml doing the parsing.
///
/// Deliberately small: scalars stay text, anchors are ignored, aliases are refused (a policy never
/// needs them, and refusing them rules out alias bombs), a file must hold at most one document, and
/// nesting is bounded.
public enum YAMLParser {
  /// How deep collections may nest.
  public static let maximumDepth = 64

  /// The document in `text`, or `nil` when the text holds no document (it is empty or only comments).
  public static func parse(_ text: String) throws(YAMLError) -> YAMLNode? {
    let events = YAMLEventStream(text)
    var event = try events.next()
    guard case .streamStart = event.kind else {
      throw YAMLError("expected the start of a YAML stream", at: event.mark)
    }
    event = try events.next()
    guard case .documentStart = event.kind else { return nil }
    let root = try node(startingWith: try events.next(), from: events, depth: 0)
    _ = try events.next()  // the document end
    event = try events.next()
    if case .documentStart = event.kind {
      throw YAMLError(
        "a policy file holds a single YAML document; a second one starts here", at: event.mark)
    }
    return root
  }

  private static func node(startingWith event: YAMLEvent, from events: YAMLEventStream, depth: Int)
    throws(YAMLError) -> YAMLNode
  {
    switch event.kind {
    case .scalar(let text, let style):
      return YAMLNode(.scalar(text, style), mark: event.mark, tag: event.tag)
    case .alias:
      throw YAMLError("aliases (*name) are not supported; write the value out", at: event.mark)
    case .sequenceStart:
      var items: [YAMLNode] = []
      while true {
        let next = try events.next()
        if case .sequenceEnd = next.kind { break }
        try checkDepth(depth, at: next.mark)
        items.append(try node(startingWith: next, from: events, depth: depth + 1))
      }
      return YAMLNode(.sequence(items), mark: event.mark, tag: event.tag)
    case .mappingStart:
      var pairs: [YAMLPair] = []
      while true {
        let next = try events.next()
        if case .mappingEnd = next.kind { break }
        try checkDepth(depth, at: next.mark)
        let key = try node(startingWith: next, from: events, depth: depth + 1)
        let value = try node(startingWith: try events.next(), from: events, depth: depth + 1)
        pairs.append(YAMLPair(key: key, value: value))
      }
      return YAMLNode(.mapping(pairs), mark: event.mark, tag: event.tag)
    default:
      throw YAMLError("unexpected YAML event", at: event.mark)
    }
  }

  private static func checkDepth(_ depth: Int, at mark: YAMLMark) throws(YAMLError) {
    if depth >= maximumDepth {
      throw YAMLError("collections nest deeper than \(maximumDepth) levels", at: mark)
    }
  }
}
