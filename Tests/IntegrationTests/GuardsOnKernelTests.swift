import Btrfs
import Foundation
import Steward
import Testing

@Suite(
  "btrfs-steward guards and control commands on a real filesystem", .serialized,
  .enabled(if: IntegrationEnvironment.shouldRun))
struct GuardsOnKernelTests {
  @Test("cancel from another process cancels the kernel's balance and ends the run")
  func cancelFromAnotherProcess() throws {
    try withScratchFilesystem(size: "2G") { scratch in
      try fragmentForInterruption(scratch, seed: 8)
      let run = try StewardRun(scratch, policy: compactionPolicy)
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      let process = try run.start()
      _ = try waitForProgress(fileSystem) { $0.isRunning }
      let cancel = try steward(run.control("cancel"))
      #expect(cancel.status == 0, "\(cancel.standardError)")
      #expect(try waitForExit(process) == Steward.ExitStatus.cancelled.rawValue)
      #expect(try fileSystem.balanceProgress() == nil)
      let history = try #require(JournalReplay.runs(try run.records()).last)
      #expect(history.outcome == .cancelled(.external))
      #expect(try steward(run.control("status")).status == 0)
    }
  }

  @Test("cancel never signals a process the journal names without proving it is the run's")
  func cancelDoesNotSignalAnUnprovenProcess() throws {
    try withScratchFilesystem(size: "2G") { scratch in
      let run = try StewardRun(scratch, policy: compactionPolicy)
      let bystander = Process()
      bystander.executableURL = URL(fileURLWithPath: "/bin/sleep")
      bystander.arguments = ["60"]
      try bystander.run()
      defer { bystander.terminate() }
      let plan = try JSONCoding.decoder().decode(
        Plan.self,
        from: Data(
          try steward(["plan", "--json", "--policy", run.policyPath, scratch.mountpoint])
            .standardOutput.utf8))
      // An open run whose record names the bystander (a reused id, or a forged record): no start
      // time proves the bystander is that run's process.
      for event: JournalEvent in [
        .runStarted(plan: plan, policyPath: run.policyPath, processID: bystander.processIdentifier),
        .runResumed(processID: bystander.processIdentifier, processStart: 1),
      ] {
        try run.journalFile().append(JournalRecord(run: "forged", time: Date(), event: event))
        let pause = try steward(run.control("pause"))
        #expect(pause.status != 0, "nothing is running")
        #expect(bystander.isRunning, "pause signalled the bystander")
      }
      let cancel = try steward(run.control("cancel"))
      #expect(cancel.status == 0, "\(cancel.standardError)")
      #expect(bystander.isRunning, "cancel signalled the bystander")
      #expect(JournalReplay.runs(try run.records()).last?.outcome == .cancelled(.external))
    }
  }

  @Test(
    "pause of a dead run whose balance the kernel still runs: paused, nothing left in the kernel, journaled; the next run carries it on"
  )
  func pausesADeadRunsRunningBalance() throws {
    try withScratchFilesystem(size: "2G") { scratch in
      try fragmentForInterruption(scratch, seed: 12)
      let run = try StewardRun(scratch, policy: compactionPolicy)
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      let plan = try JSONCoding.decoder().decode(
        Plan.self,
        from: Data(
          try steward(["plan", "--json", "--policy", run.policyPath, scratch.mountpoint])
            .standardOutput.utf8))
      // The operation whose block group the kernel takes longest to relocate: the fullest.
      let operation = try #require(plan.operations.max { $0.target.used < $1.target.used })
      // The run's process is gone (it exited), its operation's balance left running in the kernel,
      // as after a crash of the process while the kernel resumed the balance at mount.
      let gone = Process()
      gone.executableURL = URL(fileURLWithPath: "/bin/true")
      try gone.run()
      gone.waitUntilExit()
      for event: JournalEvent in [
        .runStarted(plan: plan, policyPath: run.policyPath, processID: gone.processIdentifier),
        .operationStarted(
          index: operation.index, vaddr: operation.target.vaddr, arguments: operation.arguments),
      ] {
        try run.journalFile().append(JournalRecord(run: "dead", time: Date(), event: event))
      }
      let balance = runInBackground { try fileSystem.startBalance(operation.arguments) }
      _ = try waitForProgress(fileSystem) { $0.isRunning }

      let pause = try steward(run.control("pause"))
      #expect(pause.status == 0, "\(pause.standardError)")
      #expect(pause.standardOutput.contains("Paused the run of policy"), "\(pause.standardOutput)")
      guard case .paused = try balance.value() else {
        Issue.record("the kernel's balance was not paused")
        return
      }
      #expect(try fileSystem.balanceProgress() == nil, "a paused balance was left in the kernel")
      let paused = try #require(JournalReplay.runs(try run.records()).last)
      #expect(paused.id == "dead")
      #expect(paused.outcome == .paused(.external))
      #expect(paused.inFlight == operation.index)
      #expect(
        try steward(run.control("status")).status == Steward.ExitStatus.statusPaused.rawValue)

      let carried = try run.run()
      #expect(carried.status == 0, "\(carried.standardError)")
      let finished = try #require(JournalReplay.runs(try run.records()).last)
      #expect(finished.id == "dead", "the paused run was carried on, not planned anew")
      #expect(finished.summary?.ending == .completed)
      #expect(finished.results[operation.index]?.isRelocated == true)
      #expect(try run.startsPerOperation()[operation.index] == 1, "its block group moved once")
    }
  }

  @Test("a balance started with `btrfs balance start` is left alone")
  func foreignBalanceIsLeftAlone() throws {
    try withScratchFilesystem(size: "2G") { scratch in
      try fragmentForInterruption(scratch, seed: 10)
      let run = try StewardRun(scratch, policy: compactionPolicy)
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      let foreign = Process()
      foreign.executableURL = URL(fileURLWithPath: "/usr/bin/env")
      foreign.arguments = [
        "PATH=\(IntegrationEnvironment.searchPath)", "btrfs", "balance", "start", "-d",
        scratch.mountpoint,
      ]
      foreign.standardOutput = FileHandle.nullDevice
      foreign.standardError = FileHandle.nullDevice
      try foreign.run()
      _ = try waitForProgress(fileSystem) { $0.isRunning }
      try fileSystem.pauseBalance()
      _ = try waitForExit(foreign)

      let refused = try run.run()
      #expect(refused.status == Steward.ExitStatus.foreignBalance.rawValue)
      #expect(refused.standardError.contains("not started by btrfs-steward"))
      #expect(
        try steward(run.control("cancel")).status == Steward.ExitStatus.foreignBalance.rawValue)
      #expect(
        try steward(run.control("resume")).status == Steward.ExitStatus.foreignBalance.rawValue)
      #expect(
        try fileSystem.balanceProgress()?.isPaused == true, "the foreign balance is untouched")
      #expect(try steward(run.control("cancel", ["--force"])).status == 0)
      #expect(try fileSystem.balanceProgress() == nil)
    }
  }

  @Test(
    "a second run is refused by the lock, btrfsmaintenance's lock is honoured, and a run stopped while it waits for the lock exits 75 having done nothing"
  )
  func locks() throws {
    try withScratchFilesystem(size: "2G") { scratch in
      try scratch.fragment(fileCount: 30, fileSize: 16 << 20, seed: 12)
      let run = try StewardRun(scratch, policy: compactionPolicy)
      let fsid = try FileSystem(path: scratch.mountpoint).info().fsid
      try FileManager.default.createDirectory(
        atPath: run.runtimeDirectory, withIntermediateDirectories: true)
      let stewardLock = run.runtimeDirectory + "/" + fsid + ".lock"
      let maintenanceLock = "/run/btrfs-maintenance-running." + fsid
      defer { try? FileManager.default.removeItem(atPath: maintenanceLock) }

      // flock(2) locks belong to an open file description, so a lock this process holds conflicts
      // with the child's attempt exactly as btrfsmaintenance's flock(1) does.
      for (lock, words) in [
        (stewardLock, "another btrfs-steward run"), (maintenanceLock, "btrfsmaintenance"),
      ] {
        let held = try FilesystemLock(path: lock)
        let refused = try run.run()
        withExtendedLifetime(held) {}
        #expect(refused.status == Steward.ExitStatus.locked.rawValue)
        #expect(refused.standardError.contains(words))
      }

      var waitedFor: FilesystemLock? = try FilesystemLock(path: stewardLock)
      defer { withExtendedLifetime(waitedFor) {} }
      let metrics = scratch.directory.appendingPathComponent("metrics.prom").path
      let waiting = try run.start(extra: ["--wait", "--metrics-file", metrics])
      Thread.sleep(forTimeInterval: 0.5)
      #expect(waiting.isRunning, "it waits for the lock")
      kill(waiting.processIdentifier, SIGTERM)
      let status = try waitForExit(waiting)
      waitedFor = nil
      #expect(status == Steward.ExitStatus.paused.rawValue)
      let text = try String(contentsOfFile: metrics, encoding: .utf8)
      #expect(text.contains("outcome=\"refused-stopped-while-waiting\"} 1"), "\(text)")
      #expect(try !FileManager.default.fileExists(atPath: run.journalFile().path))

      #expect(try run.run().status == 0, "with both locks free the run goes ahead")
    }
  }
}
