import Foundation
import Glibc
import Logging
import Steward
import Testing

/// A journal entry's field by name.
func field(_ entry: [(name: String, value: String)], _ name: String) -> String? {
  entry.first { $0.name == name }?.value
}

@Suite("journal native protocol")
struct JournalProtocolTests {
  @Test("an entry's datagram parses back into its priority, message and fields")
  func datagramFields() throws {
    let entry = JournalEntry(
      level: .error, message: "unallocated space is below the floor",
      metadata: [
        "fsid": "0f3c5e1a", "mountpoint": "/srv/my data", "policy": "nightly", "rule": "compact",
        "operation": "3", "vaddr": "1104150528", "result": "relocated",
        LogLineFormat.locatedKey: "true",
      ])
    let sent = try #require(JournalEntry.parse(entry.datagram))
    #expect(field(sent, "MESSAGE") == "unallocated space is below the floor")
    #expect(field(sent, "PRIORITY") == "3")
    #expect(field(sent, "SYSLOG_IDENTIFIER") == "btrfs-steward")
    #expect(field(sent, "FSID") == "0f3c5e1a")
    #expect(field(sent, "MOUNTPOINT") == "/srv/my data")
    #expect(field(sent, "POLICY") == "nightly")
    #expect(field(sent, "RULE") == "compact")
    #expect(field(sent, "OPERATION") == "3")
    #expect(field(sent, "VADDR") == "1104150528")
    #expect(field(sent, "RESULT") == "relocated")
    #expect(field(sent, "LOCATED") == nil)
  }

  @Test("a value with line breaks goes in the length-prefixed form and comes back whole")
  func multiLine() throws {
    let entry = JournalEntry(
      level: .warning, message: "first\nsecond\n", metadata: ["reason": "a=b"])
    let datagram = entry.datagram
    // MESSAGE\n, 8 bytes of little-endian length 13, the value, \n.
    #expect(Array(datagram.prefix(8)) == Array("MESSAGE\n".utf8))
    #expect(Array(datagram[8..<16]) == [13, 0, 0, 0, 0, 0, 0, 0])
    let fields = try #require(JournalEntry.parse(datagram))
    #expect(fields.map(\.name) == ["MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "REASON"])
    #expect(field(fields, "MESSAGE") == "first\nsecond\n")
    #expect(field(fields, "PRIORITY") == "4")
    #expect(field(fields, "REASON") == "a=b")
  }

  @Test(
    "metadata keys become valid journal field names",
    arguments: [
      ("fsid", "FSID"), ("exit-status", "EXIT_STATUS"), ("_hidden", "HIDDEN"), ("9lives", "LIVES"),
      ("ä", "FIELD"),
    ])
  func fieldNames(_ key: String, _ name: String) {
    #expect(JournalEntry.fieldName(key) == name)
  }

  @Test("priorities follow syslog's for every level")
  func priorities() {
    for (level, priority) in [
      (Logger.Level.critical, "2"), (.error, "3"), (.warning, "4"), (.notice, "5"), (.info, "6"),
      (.debug, "7"),
    ] {
      let entry = JournalEntry(level: level, message: "m", metadata: [:])
      #expect(entry.fields.first { $0.name == "PRIORITY" }?.value == priority)
    }
  }

  @Test("a socket nobody listens on refuses the entry (the caller falls back)")
  func nobodyListens() throws {
    let directory = try ToolRun.temporaryDirectory("journal-socket")
    defer { try? FileManager.default.removeItem(at: directory) }
    let socket = try #require(JournalSocket(path: directory.appendingPathComponent("none").path))
    #expect(!socket.send(JournalEntry(level: .error, message: "lost?", metadata: [:])))
  }
}
