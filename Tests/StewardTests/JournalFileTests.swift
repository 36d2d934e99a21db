import Btrfs
import Foundation
import Glibc
import Testing

@testable import Steward

@Suite("Journal file")
struct JournalFileTests {
  typealias X = ExecutorFixtures

  private func record(_ run: String, _ seconds: TimeInterval, _ event: JournalEvent)
    -> JournalRecord
  {
    JournalRecord(run: run, time: X.start + seconds, event: event)
  }

  private func lines(_ path: String) throws -> [Substring] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    return text.split(separator: "\n", omittingEmptySubsequences: false)
  }

  @Test("a noted record is written at once, in order with the records around it")
  func notedRecordsAreWrittenAtOnce() throws {
    let directory = try TemporaryDirectory("journal")
    let file = try JournalFile(stateDirectory: directory.sub("state"), fsid: X.fsid)
    let journal = Journal(file: file, runID: "a", now: { X.start })
    let finished = JournalEvent.operationFinished(
      index: 1, result: .relocated(relocatedBytes: 7, unallocatedAfter: 9))
    try journal.note([finished])
    #expect(try file.read().records.map(\.event) == [finished], "a crashed process loses nothing")
    let paused = JournalEvent.paused(reason: .signal, operation: nil)
    try journal.record(paused)
    #expect(try file.read().records.map(\.event) == [finished, paused])
  }

  @Test("records round-trip, one per line, in a 0600 file inside a 0700 directory it creates")
  func roundTrip() throws {
    let directory = try TemporaryDirectory("journal")
    let state = directory.sub("state")
    let file = try JournalFile(stateDirectory: state, fsid: X.fsid)
    #expect(file.path == state + "/" + X.fsid + ".journal")
    #expect(permissions(state) == 0o700)
    #expect(try file.read().records.isEmpty)

    let plan = try X.plan()
    let records = [
      record("a", 0, .runStarted(plan: plan, policyPath: "/etc/p.yaml", processID: 42)),
      record(
        "a", 1,
        .operationStarted(
          index: 1, vaddr: plan.operations[0].target.vaddr, arguments: plan.operations[0].arguments)
      ),
      record(
        "a", 2,
        .operationFinished(index: 1, result: .relocated(relocatedBytes: 7, unallocatedAfter: 9))),
      record("a", 3, .paused(reason: .windowClosed, operation: nil)),
    ]
    for record in records { try file.append(record) }

    let readBack = try file.read()
    let (read, ignored) = (readBack.records, readBack.ignoredLines)
    #expect(read == records)
    #expect(ignored == 0)
    #expect(permissions(file.path) == 0o600)
    let text = try lines(file.path)
    #expect(text.count == records.count + 1)
    #expect(text.last == "")
    for line in text.dropLast() {
      #expect(line.hasPrefix("{") && line.hasSuffix("}"))
      #expect(try JSONSerialization.jsonObject(with: Data(line.utf8)) is [String: Any])
    }
  }

  @Test("Journal stamps records with its run id and its clock")
  func journalStamps() throws {
    let directory = try TemporaryDirectory("journal")
    let file = try JournalFile(stateDirectory: directory.sub("state"), fsid: X.fsid)
    let clock = TestClock()
    let journal = Journal(file: file, runID: "run-7", now: { clock.now })
    try journal.record(.runResumed(processID: 1))
    clock.advance(by: 60)
    try journal.record(.paused(reason: .signal, operation: 3))
    let records = try file.read().records
    #expect(records.map(\.run) == ["run-7", "run-7"])
    #expect(records.map(\.time) == [X.start, X.start + 60])
    #expect(
      records.map(\.event) == [.runResumed(processID: 1), .paused(reason: .signal, operation: 3)])
  }

  @Test("a torn last line is ignored when reading and cut off by the next append")
  func tornLastLine() throws {
    let directory = try TemporaryDirectory("journal")
    let file = try JournalFile(stateDirectory: directory.sub("state"), fsid: X.fsid)
    let first = record("a", 0, .runResumed(processID: 1))
    let second = record("a", 1, .operationResumed(index: 2))
    let third = record("a", 2, .operationFinished(index: 2, result: .skipped(reason: "gone")))
    try file.append(first)
    try file.append(second)

    // A crash in the middle of writing the third record.
    let whole = try String(contentsOfFile: file.path, encoding: .utf8)
    let thirdLine = try #require(
      String(data: try JSONEncoder().encode(third.event), encoding: .utf8))
    let handle = try #require(FileHandle(forWritingAtPath: file.path))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(("{\"event\":" + thirdLine.prefix(12)).utf8))
    try handle.close()

    let tornRead = try file.read()
    let (torn, ignored) = (tornRead.records, tornRead.ignoredLines)
    #expect(torn == [first, second])
    #expect(ignored == 1)

    try file.append(third)
    let reread = try file.read()
    let (records, ignoredAfter) = (reread.records, reread.ignoredLines)
    #expect(records == [first, second, third])
    #expect(ignoredAfter == 0)
    // Byte for byte what a journal that never tore holds.
    let reference = try JournalFile(stateDirectory: directory.sub("reference"), fsid: X.fsid)
    for record in [first, second, third] { try reference.append(record) }
    let text = try String(contentsOfFile: file.path, encoding: .utf8)
    #expect(text.hasPrefix(whole))
    #expect(text == (try String(contentsOfFile: reference.path, encoding: .utf8)))
    #expect(text.split(separator: "\n", omittingEmptySubsequences: false).count == 4)
  }

  @Test("a journal holding only a torn line is emptied by the next append")
  func onlyTornLine() throws {
    let directory = try TemporaryDirectory("journal")
    let file = try JournalFile(stateDirectory: directory.sub("state"), fsid: X.fsid)
    try Data("{\"run\":\"a\",\"ti".utf8).write(to: URL(fileURLWithPath: file.path))
    #expect(try file.read().records.isEmpty)
    #expect(try file.read().ignoredLines == 1)
    let only = record("a", 0, .runResumed(processID: 5))
    try file.append(only)
    #expect(try file.read().records == [only])
    #expect(try lines(file.path).count == 2)
  }

  @Test("a symbolic link at the journal's path is refused and its target left alone")
  func symbolicLinkRefused() throws {
    let directory = try TemporaryDirectory("journal")
    let file = try JournalFile(stateDirectory: directory.sub("state"), fsid: X.fsid)
    let target = directory.sub("elsewhere")
    try Data("precious\n".utf8).write(to: URL(fileURLWithPath: target))
    #expect(symlink(target, file.path) == 0)

    #expect(throws: JournalError.notARegularFile(path: file.path)) {
      try file.append(record("a", 0, .runResumed(processID: 1)))
    }
    #expect(throws: JournalError.notARegularFile(path: file.path)) { try file.read() }
    #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious\n")
  }

  @Test("a dangling symbolic link at the journal's path is refused and nothing is created")
  func danglingLinkRefused() throws {
    let directory = try TemporaryDirectory("journal")
    let file = try JournalFile(stateDirectory: directory.sub("state"), fsid: X.fsid)
    let target = directory.sub("not-yet")
    #expect(symlink(target, file.path) == 0)
    #expect(throws: JournalError.notARegularFile(path: file.path)) {
      try file.append(record("a", 0, .runResumed(processID: 1)))
    }
    #expect(!FileManager.default.fileExists(atPath: target))
  }

  @Test("a directory at the journal's path is not read as a journal")
  func directoryRefused() throws {
    let directory = try TemporaryDirectory("journal")
    let file = try JournalFile(stateDirectory: directory.sub("state"), fsid: X.fsid)
    try FileManager.default.createDirectory(atPath: file.path, withIntermediateDirectories: false)
    #expect(throws: JournalError.notARegularFile(path: file.path)) { try file.read() }
    #expect(throws: JournalError.self) {
      try file.append(record("a", 0, .runResumed(processID: 1)))
    }
  }
}
