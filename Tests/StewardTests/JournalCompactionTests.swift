import Btrfs
import Foundation
import Glibc
import Testing

@testable import Steward

@Suite("Journal compaction")
struct JournalCompactionTests {
  typealias X = ExecutorFixtures

  private static let summary = RunSummary(
    ending: .completed, relocated: 1, skipped: 0, failed: 0, left: 0, relocatedBytes: 1,
    unallocatedBefore: 0, unallocatedAfter: 1)

  /// Writes runs `r1`…`rN` (three records each, interleaved with nothing); the runs in `open` are
  /// left paused, the others finished.
  /// A journal with the directory it lives in (removed when this goes away).
  struct TestJournal {
    let directory: TemporaryDirectory
    let file: JournalFile
  }

  private func journal(runs: Int, open: Set<Int>) throws -> TestJournal {
    let directory = try TemporaryDirectory("compact")
    let file = try JournalFile(stateDirectory: directory.sub("state"), fsid: X.fsid)
    let plan = try X.plan()
    for run in 1...runs {
      let time = X.start + Double(run * 100)
      try file.append(
        JournalRecord(
          run: "r\(run)", time: time, event: .runStarted(plan: plan, policyPath: nil, processID: 1))
      )
      try file.append(
        JournalRecord(run: "r\(run)", time: time + 1, event: .operationResumed(index: 1)))
      let last: JournalEvent =
        open.contains(run)
        ? .paused(reason: .signal, operation: 1) : .runFinished(summary: Self.summary)
      try file.append(JournalRecord(run: "r\(run)", time: time + 2, event: last))
    }
    return TestJournal(directory: directory, file: file)
  }

  private func inode(_ path: String) -> ino_t {
    var status = stat()
    return lstat(path, &status) == 0 ? status.st_ino : 0
  }

  @Test("more than twice N runs: the newest N and every open run are kept, whole")
  func keepsNewestAndOpen() throws {
    let test = try journal(runs: 5, open: [1])
    let file = test.file
    defer { withExtendedLifetime(test) {} }
    let before = try file.read().records
    try file.compact(keepingRuns: 2)
    let after = try file.read()
    #expect(after.ignoredLines == 0)
    #expect(Set(after.records.map(\.run)) == ["r1", "r4", "r5"])
    #expect(after.records == before.filter { ["r1", "r4", "r5"].contains($0.run) })
    let runs = JournalReplay.runs(after.records)
    #expect(runs.map(\.id) == ["r1", "r4", "r5"])
    #expect(runs[0].outcome == .paused(.signal))
    #expect(permissions(file.path) == 0o600)
    #expect(!FileManager.default.fileExists(atPath: file.path + ".compacting"))
  }

  @Test("at most twice N runs: the journal is not rewritten")
  func leavesSmallJournalAlone() throws {
    let test = try journal(runs: 4, open: [])
    let file = test.file
    defer { withExtendedLifetime(test) {} }
    let bytes = try Data(contentsOf: URL(fileURLWithPath: file.path))
    let node = inode(file.path)
    try file.compact(keepingRuns: 2)
    #expect(try Data(contentsOf: URL(fileURLWithPath: file.path)) == bytes)
    #expect(inode(file.path) == node)
  }

  @Test("one run over twice N: the file is replaced, the oldest finished runs dropped")
  func justOverTheThreshold() throws {
    let test = try journal(runs: 5, open: [])
    let file = test.file
    defer { withExtendedLifetime(test) {} }
    let node = inode(file.path)
    try file.compact(keepingRuns: 2)
    #expect(inode(file.path) != node)
    #expect(JournalReplay.runs(try file.read().records).map(\.id) == ["r4", "r5"])
  }

  @Test("appending after compaction goes on at the end of the new file")
  func appendAfterCompaction() throws {
    let test = try journal(runs: 6, open: [6])
    let file = test.file
    defer { withExtendedLifetime(test) {} }
    try file.compact(keepingRuns: 1)
    let extra = JournalRecord(run: "r6", time: X.start + 999, event: .runResumed(processID: 9))
    try file.append(extra)
    let records = try file.read().records
    #expect(records.last == extra)
    #expect(Set(records.map(\.run)) == ["r6"])
    #expect(JournalReplay.runs(records).last?.processID == 9)
  }
}
