import Foundation
import Glibc
import Logging
import Steward
import Testing

@Suite("log line format")
struct LogLineFormatTests {
  @Test(
    "journald lines carry the syslog priority of their level",
    arguments: [
      (Logger.Level.critical, "<2>"), (.error, "<3>"), (.warning, "<4>"), (.notice, "<5>"),
      (.info, "<6>"), (.debug, "<7>"), (.trace, "<7>"),
    ])
  func priorities(_ level: Logger.Level, _ prefix: String) {
    #expect(
      LogLineFormat.line(level: level, message: "balance paused", metadata: [:], journald: true)
        == "\(prefix)balance paused")
  }

  @Test("a simulated JOURNAL_STREAM naming standard error's device and inode means journald")
  func simulatedJournalStream() throws {
    let directory = try ToolRun.temporaryDirectory("journal-stream")
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("stream").path
    let descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
    try #require(descriptor >= 0)
    defer { close(descriptor) }
    var status = stat()
    try #require(fstat(descriptor, &status) == 0)
    let device = UInt64(status.st_dev)
    let inode = UInt64(status.st_ino)

    let journald = LogLineFormat.isJournalStream("\(device):\(inode)", device: device, inode: inode)
    #expect(journald)
    #expect(
      LogLineFormat.line(
        level: .warning, message: "window closed", metadata: ["fsid": "abc"], journald: journald)
        == "<4>window closed fsid=abc")

    #expect(!LogLineFormat.isJournalStream(nil, device: device, inode: inode))
    #expect(!LogLineFormat.isJournalStream("\(device):\(inode + 1)", device: device, inode: inode))
    #expect(!LogLineFormat.isJournalStream("\(device)", device: device, inode: inode))
    #expect(!LogLineFormat.isJournalStream("x:\(inode)", device: device, inode: inode))
  }

  @Test("lines for a person: errors and warnings in the one error style, the rest plain")
  func readable() {
    #expect(
      LogLineFormat.line(
        level: .info, message: "relocated block group",
        metadata: ["vaddr": "1104150528", "bytes": .stringConvertible(42)], journald: false)
        == "relocated block group bytes=42", "journal fields (vaddr) are for the journal only")
    #expect(
      LogLineFormat.line(level: .error, message: "no such file", metadata: [:], journald: false)
        == "btrfs-steward: error: no such file")
    #expect(
      LogLineFormat.line(level: .warning, message: "window closed", metadata: [:], journald: false)
        == "btrfs-steward: warning: window closed")
  }

  @Test("metadata values that need it are quoted, in key order")
  func quoting() {
    let line = LogLineFormat.line(
      level: .error, message: "failed",
      metadata: [
        "mountpoint": "/srv/my data", "empty": "", "quote": "say \"hi\"", "eq": "a=b",
        "list": ["x", "y"],
      ],
      journald: true)
    #expect(
      line
        == #"<3>failed empty="" eq="a=b" list="[\"x\", \"y\"]" mountpoint="/srv/my data" quote="say \"hi\"""#
    )
  }

  @Test("a record is always one line")
  func oneLine() {
    let line = LogLineFormat.line(
      level: .notice, message: "first\nsecond\r\u{7}", metadata: ["reason": "a\nb"], journald: true)
    #expect(line == #"<5>first\nsecond\r\x07 reason="a\nb""#)
    #expect(!line.contains("\n"))
  }
}
