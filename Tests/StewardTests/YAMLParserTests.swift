import Testing

@testable import Steward

@Suite("YAML parser")
struct YAMLParserTests {
  @Test func mappingKeepsKeyOrderMarksAndDuplicates() throws {
    let root = try #require(try YAMLParser.parse("b: 1\na: x\nb: 'q'\n"))
    guard case .mapping(let pairs) = root.content else {
      Issue.record("expected a mapping")
      return
    }
    #expect(pairs.map(\.key.scalar) == ["b", "a", "b"])
    #expect(
      pairs.map(\.key.mark) == [
        .init(line: 1, column: 1), .init(line: 2, column: 1), .init(line: 3, column: 1),
      ])
    #expect(pairs[2].value.mark == YAMLMark(line: 3, column: 4))
    #expect(pairs[2].value.content == .scalar("q", .singleQuoted))
    #expect(pairs[0].value.isPlainScalar)
  }

  @Test func sequencesFlowAndBlock() throws {
    let root = try #require(try YAMLParser.parse("x: [a, \"b\"]\ny:\n  - c\n"))
    guard case .mapping(let pairs) = root.content,
      case .sequence(let flow) = pairs[0].value.content,
      case .sequence(let block) = pairs[1].value.content
    else {
      Issue.record("unexpected shape")
      return
    }
    #expect(flow.map(\.scalar) == ["a", "b"])
    #expect(flow[1].content == .scalar("b", .doubleQuoted))
    #expect(flow[1].mark == YAMLMark(line: 1, column: 8))
    #expect(block.first?.mark == YAMLMark(line: 3, column: 5))
  }

  @Test func nullsAndSummaries() throws {
    let root = try #require(try YAMLParser.parse("a:\nb: ~\nc: \"\"\n"))
    guard case .mapping(let pairs) = root.content else { return }
    #expect(pairs[0].value.isNull)
    #expect(pairs[1].value.isNull)
    #expect(!pairs[2].value.isNull)
    #expect(pairs[0].value.summary == "nothing (null)")
    #expect(pairs[2].value.summary == "the quoted string \"\"")
  }

  @Test func tagsAreKept() throws {
    let root = try #require(try YAMLParser.parse("!!str 12\n"))
    #expect(root.tag == "tag:yaml.org,2002:str")
  }

  @Test func emptyTextHasNoDocument() throws {
    #expect(try YAMLParser.parse("") == nil)
    #expect(try YAMLParser.parse("# only a comment\n\n") == nil)
  }

  @Test func syntaxErrorCarriesLibyamlProblemAndMark() {
    #expect {
      _ = try YAMLParser.parse("a: 1\n b: 2\n")
    } throws: { error in
      guard let error = error as? YAMLError else { return false }
      return error.mark == YAMLMark(line: 2, column: 3)
        && error.message.hasPrefix("mapping values are not allowed in this context")
    }
  }

  @Test func contextIsIncluded() {
    #expect {
      _ = try YAMLParser.parse("a: [1, 2\nb: 3\n")
    } throws: { error in
      let message = (error as? YAMLError)?.message ?? ""
      return message.contains("while parsing a flow sequence that starts at line 1, column 4")
    }
  }

  @Test func controlCharacterIsAReaderErrorWithAPosition() {
    #expect {
      _ = try YAMLParser.parse("a: 1\nbé: \u{1}\n")
    } throws: { error in
      guard let error = error as? YAMLError else { return false }
      return error.mark == YAMLMark(line: 2, column: 5)
        && error.message.contains("control characters")
    }
  }

  @Test func aliasesAreRejected() {
    #expect(
      throws: YAMLError(
        "aliases (*name) are not supported; write the value out", at: .init(line: 2, column: 4))
    ) {
      _ = try YAMLParser.parse("a: &x 1\nb: *x\n")
    }
  }

  @Test func secondDocumentIsRejected() {
    #expect {
      _ = try YAMLParser.parse("a: 1\n---\nb: 2\n")
    } throws: { error in
      (error as? YAMLError)?.mark == YAMLMark(line: 2, column: 1)
    }
  }

  @Test func deepNestingIsRejected() {
    let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
    #expect {
      _ = try YAMLParser.parse(deep)
    } throws: { error in
      (error as? YAMLError)?.message.contains("deeper than") == true
    }
  }
}
