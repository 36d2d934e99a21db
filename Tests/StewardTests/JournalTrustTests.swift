import Foundation
import Glibc
import Testing

@testable import Steward

@Suite("Journal trust and process identity")
struct JournalTrustTests {
  typealias X = ExecutorFixtures

  private func expectUntrusted(
    _ stateDirectory: String, _ words: String, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    do {
      let file = try JournalFile(stateDirectory: stateDirectory, fsid: X.fsid)
      _ = try file.read()
      Issue.record("the journal was trusted", sourceLocation: sourceLocation)
    } catch {
      #expect(error.exitStatus == .untrustedState, sourceLocation: sourceLocation)
      #expect(error.description.contains(words), "\(error)", sourceLocation: sourceLocation)
    }
  }

  @Test("a state directory writable by group or others, or owned by another user, is refused")
  func untrustedDirectory() throws {
    let directory = try TemporaryDirectory("trust")
    let state = directory.sub("state")
    #expect(mkdir(state, 0o700) == 0)
    #expect(chmod(state, 0o777) == 0)
    expectUntrusted(state, "group or others may write it (mode 777)")
    #expect(chmod(state, 0o720) == 0)
    expectUntrusted(state, "group or others may write it")
    #expect(chmod(state, 0o700) == 0)
    #expect(chown(state, 65534, 65534) == 0)
    expectUntrusted(state, "owned by uid 65534")
  }

  @Test("a state directory or journal that is a symbolic link is never followed")
  func symbolicLinks() throws {
    let directory = try TemporaryDirectory("trust")
    let real = directory.sub("real")
    #expect(mkdir(real, 0o700) == 0)
    let link = directory.sub("state")
    #expect(symlink(real, link) == 0)
    expectUntrusted(link, "symbolic link")

    let state = directory.sub("state2")
    #expect(mkdir(state, 0o700) == 0)
    let target = directory.sub("elsewhere.journal")
    #expect(FileManager.default.createFile(atPath: target, contents: Data()))
    #expect(symlink(target, state + "/" + X.fsid + ".journal") == 0)
    expectUntrusted(state, "symbolic link")
  }

  @Test("a journal writable by others or owned by another user is refused, not read")
  func untrustedJournal() throws {
    let directory = try TemporaryDirectory("trust")
    let state = directory.sub("state")
    let file = try JournalFile(stateDirectory: state, fsid: X.fsid)
    try file.append(
      JournalRecord(run: "a", time: X.start, event: .runResumed(processID: 1)))
    #expect(chmod(file.path, 0o646) == 0)
    expectUntrusted(state, "group or others may write it (mode 646)")
    #expect(chmod(file.path, 0o600) == 0)
    #expect(chown(file.path, 65534, 65534) == 0)
    expectUntrusted(state, "owned by uid 65534")
  }

  @Test("a process is identified by its id and start time; a reused id is not the same process")
  func processIdentity() throws {
    let me = try #require(ProcessIdentity.current())
    #expect(me.processID == getpid())
    #expect(me.isAlive)
    let impostor = ProcessIdentity(processID: me.processID, startTime: me.startTime + 1)
    #expect(!impostor.isAlive)
    #expect(ProcessIdentity.of(-1) == nil)
    // The command name may hold spaces and parentheses.
    let stat = "42 (a) b (c) S 1 42 42 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 12345 0 0"
    #expect(ProcessIdentity.startTime(stat: stat) == 12345)
  }

  @Test("a journaled run naming a live process without its start time is not taken for alive")
  func unprovenProcessIsNotAlive() throws {
    let plan = try X.plan()
    let records = [
      JournalRecord(
        run: "a", time: X.start, event: .runStarted(plan: plan, policyPath: nil, processID: 1))
    ]
    let run = try #require(JournalReplay.runs(records).last)
    #expect(run.process == nil, "pid 1 is alive, but nothing proves it is the run's process")
    let me = try #require(ProcessIdentity.current())
    let proven = [
      JournalRecord(
        run: "b", time: X.start,
        event: .runStarted(
          plan: plan, policyPath: nil, processID: me.processID, processStart: me.startTime))
    ]
    #expect(JournalReplay.runs(proven).last?.process?.isAlive == true)
  }

  @Test(
    "a corrupt record in the middle of the journal is reported by its offset, not dropped silently")
  func corruptRecordIsReported() throws {
    let directory = try TemporaryDirectory("trust")
    let file = try JournalFile(stateDirectory: directory.sub("state"), fsid: X.fsid)
    let first = JournalRecord(run: "a", time: X.start, event: .runResumed(processID: 1))
    try file.append(first)
    let offset = try Data(contentsOf: URL(fileURLWithPath: file.path)).count
    let handle = try #require(FileHandle(forWritingAtPath: file.path))
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(#"{"event":{"forged":1}}"#.utf8 + [UInt8(ascii: "\n")]))
    try handle.close()
    try file.append(first)

    let contents = try file.read()
    #expect(contents.records == [first, first])
    #expect(contents.ignoredLines == 0)
    #expect(contents.corruptRecordOffsets == [offset])
    let warning = try #require(contents.corruptionWarning(path: file.path))
    #expect(warning.contains("1 corrupt record(s) ignored (at byte \(offset))"))
  }

  @Test("reading from the last run's start gives the last run exactly as reading everything does")
  func lastRunFromTheEnd() throws {
    let directory = try TemporaryDirectory("trust")
    let file = try JournalFile(stateDirectory: directory.sub("state"), fsid: X.fsid)
    let plan = try X.plan()
    for run in ["a", "b", "c"] {
      try file.append(
        JournalRecord(
          run: run, time: X.start, event: .runStarted(plan: plan, policyPath: nil, processID: 1)))
      try file.append(
        JournalRecord(run: run, time: X.start + 1, event: .paused(reason: .signal, operation: nil)))
    }
    let tail = try file.readLastRun()
    #expect(tail.records.count == 2)
    #expect(
      JournalReplay.runs(tail.records).last == JournalReplay.runs(try file.read().records).last)
    #expect(JournalReplay.runs(tail.records).last?.id == "c")
  }
}
