import Btrfs
import Foundation
import Steward
import Testing

@Suite(
  "btrfs-steward run on a real filesystem", .serialized,
  .enabled(if: IntegrationEnvironment.shouldRun))
struct RunOnKernelTests {
  @Test("a run compacts a fragmented filesystem as predicted, and journals every step")
  func compacts() throws {
    try withScratchFilesystem(size: "3G") { scratch in
      try scratch.fragment(fileCount: 60, fileSize: 16 << 20, seed: 2)
      let run = try StewardRun(scratch, policy: compactionPolicy)
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      let before = try fileSystem.layout()

      let metrics = scratch.directory.appendingPathComponent("steward.prom").path
      let result = try steward(run.runArguments + ["--metrics-file", metrics])
      #expect(result.status == 0, "\(result.standardError)")
      let after = try fileSystem.layout()
      let dataBefore = before.blockGroups.filter { $0.type == .data }.count
      let dataAfter = after.blockGroups.filter { $0.type == .data }.count
      #expect(dataAfter < dataBefore)
      #expect(after.unallocatedBytes > before.unallocatedBytes)

      let history = try #require(JournalReplay.runs(try run.records()).last)
      guard let summary = history.summary else {
        Issue.record("the run did not finish: \(String(describing: history.outcome))")
        return
      }
      #expect(summary.ending == .completed)
      #expect(history.results.count == history.plan.operations.count)
      let exposition = try String(contentsOfFile: metrics, encoding: .utf8)
      #expect(exposition.contains("btrfs_steward_last_run_relocated_bytes{"))
      #expect(exposition.contains("\(summary.relocatedBytes)"))
      #expect(try run.startsPerOperation().values.allSatisfy { $0 == 1 })

      // The dry run's prediction against what the kernel did.
      let predicted = Int64(history.plan.outcome.unallocatedAfter)
      let error = abs(predicted - Int64(after.unallocatedBytes))
      let largest = before.blockGroups.map(\.length).max()!
      let allowed = Int64(largest) * Int64(max(1, (history.plan.operations.count + 9) / 10))
      print(
        "prediction: unallocated after \(ByteCount(UInt64(predicted))), actual \(ByteCount(after.unallocatedBytes)), error \(ByteCount(UInt64(error))) over \(history.plan.operations.count) operations"
      )
      #expect(error <= allowed)
    }
  }

  @Test(
    "SIGTERM mid-operation pauses the run, twice over, leaving nothing paused in the kernel; the next run finishes"
  )
  func pauseRunPauseRunFinishes() throws {
    try withScratchFilesystem(size: "2G") { scratch in
      try fragmentForInterruption(scratch, seed: 4)
      let run = try StewardRun(scratch, policy: compactionPolicy)
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      // The cycle that once left every later run refusing "a balance not started by btrfs-steward".
      let first = try pauseMidOperation(run, fileSystem)
      let second = try pauseMidOperation(run, fileSystem)
      #expect(second.id == first.id, "the second run carried the first on")
      #expect(try fileSystem.balanceProgress() == nil, "no balance left for the kernel to resume")

      let status = try steward(run.control("status"))
      #expect(status.status == Steward.ExitStatus.statusPaused.rawValue)

      let last = try run.run()
      #expect(last.status == 0, "\(last.standardError)")
      #expect(try fileSystem.balanceProgress() == nil)
      let finished = try #require(JournalReplay.runs(try run.records()).last)
      #expect(finished.id == first.id)
      #expect(finished.results.count == finished.plan.operations.count)
      guard let summary = finished.summary else {
        Issue.record("the run did not finish: \(String(describing: finished.outcome))")
        return
      }
      // Every block group relocated before a pause counts: the relocated ones are all there.
      #expect(summary.relocated == finished.results.values.filter(\.isRelocated).count)
      #expect(summary.relocated > 0)
      #expect(try run.startsPerOperation().values.allSatisfy { $0 <= 2 })
    }
  }

  @Test("a second SIGTERM while the kernel pauses cancels: exit 76, no balance left paused")
  func secondSignalCancels() throws {
    try withScratchFilesystem(size: "2G") { scratch in
      try fragmentForInterruption(scratch, seed: 5)
      let run = try StewardRun(scratch, policy: compactionPolicy)
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      // A small block group can be done before the second signal arrives; the run then paused
      // (75), which is right for one signal: carry it on and try again, a few times at most.
      for _ in 1...5 {
        let process = try run.start()
        _ = try waitForProgress(fileSystem) { $0.isRunning }
        kill(process.processIdentifier, SIGTERM)
        usleep(5_000)
        guard kill(process.processIdentifier, SIGTERM) == 0, process.isRunning else {
          #expect(try waitForExit(process) == Steward.ExitStatus.paused.rawValue)
          #expect(try fileSystem.balanceProgress() == nil)
          continue
        }
        let status = try waitForExit(process)
        #expect(try fileSystem.balanceProgress() == nil, "a balance was left in the kernel")
        let history = try #require(JournalReplay.runs(try run.records()).last)
        if status == Steward.ExitStatus.paused.rawValue, history.outcome == .paused(.signal) {
          continue  // the first signal's pause was honoured before the second arrived
        }
        #expect(status == Steward.ExitStatus.cancelled.rawValue)
        #expect(history.outcome == .cancelled(.signal))
        return
      }
      Issue.record("no second signal landed while the kernel was pausing")
    }
  }

  @Test(
    "kill -9 during an operation, and at each crash point, is recovered with nothing done twice")
  func recoversFromCrashes() throws {
    try withScratchFilesystem(size: "2G") { scratch in
      try fragmentForInterruption(scratch, seed: 6)
      let run = try StewardRun(scratch, policy: compactionPolicy)
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      let dataBefore = try fileSystem.layout().blockGroups.filter { $0.type == .data }.count

      // A kill -9 from outside while the kernel relocates.
      let process = try run.start()
      _ = try waitForProgress(fileSystem) { $0.isRunning }
      kill(process.processIdentifier, SIGKILL)
      _ = try waitForExit(process)
      // The killed ioctl ends the kernel's balance; wait for it to be gone.
      try waitForProgressGone(fileSystem)

      // Crashes at exact points: before an operation, between fsync and ioctl, after an operation.
      for point in ["after-journal:1", "after-operation:1", "before-operation:1"] {
        let crashed = try run.run(environment: ["BTRFS_STEWARD_CRASH_AT": point])
        #expect(crashed.status != 0, "the run should have crashed at \(point)")
        #expect(JournalReplay.runs(try run.records()).last?.isOpen == true)
      }
      // A torn record, as a crash in the middle of a write leaves it.
      let journal = try run.journalFile()
      let handle = try #require(FileHandle(forWritingAtPath: journal.path))
      try handle.seekToEnd()
      try handle.write(contentsOf: Data(#"{"event":{"operationStarted":{"ind"#.utf8))
      try handle.close()

      let final = try run.run()
      #expect(final.status == 0, "\(final.standardError)")
      let reread = try journal.read()
      let (records, ignored) = (reread.records, reread.ignoredLines)
      #expect(ignored == 0, "the torn record was cut off before the next append")
      let history = try #require(JournalReplay.runs(records).last)
      guard let summary = history.summary else {
        Issue.record("the run did not finish: \(String(describing: history.outcome))")
        return
      }
      #expect(summary.ending == .completed)
      // Every operation has exactly one result; none was started more than twice (a second start
      // only after the first never reached the kernel or was cut short by the kill).
      var finishedCounts: [Int: Int] = [:]
      for record in records {
        if case .operationFinished(let index, _) = record.event {
          finishedCounts[index, default: 0] += 1
        }
      }
      #expect(finishedCounts.count == history.plan.operations.count)
      #expect(finishedCounts.values.allSatisfy { $0 == 1 })
      #expect(try run.startsPerOperation().values.allSatisfy { $0 <= 2 })
      // Block-group addresses can be reused by later chunks, so count rather than look them up.
      let dataAfter = try fileSystem.layout().blockGroups.filter { $0.type == .data }.count
      #expect(dataAfter < dataBefore)
      #expect(summary.relocated > 0)
    }
  }
}

/// Starts (or carries on) `run`, sends it SIGTERM while the kernel relocates one of its block
/// groups, and returns the paused run, having checked that the run journaled the pause and left no
/// balance for the kernel to resume at the next mount.
func pauseMidOperation(_ run: StewardRun, _ fileSystem: FileSystem) throws -> RunHistory {
  let process = try run.start()
  _ = try waitForProgress(fileSystem) { $0.isRunning }
  kill(process.processIdentifier, SIGTERM)
  #expect(try waitForExit(process) == Steward.ExitStatus.paused.rawValue)
  #expect(try fileSystem.balanceProgress() == nil, "a paused balance was left in the kernel")
  let history = try #require(JournalReplay.runs(try run.records()).last)
  #expect(history.outcome == .paused(.signal))
  return history
}

/// Polls BALANCE_PROGRESS until there is no balance (at most a minute).
func waitForProgressGone(_ fileSystem: FileSystem) throws {
  try poll("the balance to end", timeout: 60, interval: 0.02) {
    try fileSystem.balanceProgress() == nil ? () : nil
  }
}
