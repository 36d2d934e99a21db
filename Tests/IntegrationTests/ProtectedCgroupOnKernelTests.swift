import Btrfs
import Foundation
import Testing

@testable import Steward

/// Pacing by a protected workload against the kernel: `btrfs-steward run` on a loop-mounted
/// filesystem with `protect-cgroup` naming a cgroup v2 the test makes, in which a shell reads a
/// file with direct I/O until the test ends it. Every wait is bounded; the reader, the cgroup and
/// the scratch filesystem are always removed.
@Suite(
  "Pacing: a protected cgroup's I/O on a real filesystem", .serialized,
  .enabled(if: IntegrationEnvironment.shouldRun))
struct ProtectedCgroupOnKernelTests {
  @Test(
    "the run waits while a process in the protected cgroup does I/O, and proceeds once it stops")
  func waitsForTheProtectedCgroup() throws {
    try withBusyCgroup { scratch, cgroup, reader in
      let run = try StewardRun(
        scratch,
        policy: compactionPolicy
          + "\npacing:\n  protect-cgroup: \(cgroup.path)\n  protect-quiet-period: 250ms\n")
      let process = try run.start()
      defer { endIfRunning(process) }

      // While the reader reads, the run waits before its first block group, saying for whom.
      let waiting = try poll("the run to wait for the cgroup", timeout: 60, interval: 0.01) {
        try run.records().lazy.compactMap { record -> String? in
          if case .waitingForMachine(_, _, let workload) = record.event { workload } else { nil }
        }.first
      }
      #expect(waiting == "cgroup \(cgroup.path)")
      #expect(try run.startsPerOperation().isEmpty, "no block group started while the cgroup reads")
      #expect(try KernelTarget(path: scratch.mountpoint).balanceProgress() == nil)

      endIfRunning(reader)
      #expect(try waitForExit(process) == 0)
      let records = try run.records()
      #expect(records.contains { if case .machineCalm = $0.event { true } else { false } })
      #expect(!(try run.startsPerOperation().isEmpty), "the run went on once the cgroup was quiet")
      guard case .runFinished? = records.last?.event else {
        Issue.record("the run did not finish: \(String(describing: records.last?.event))")
        return
      }
    }
  }

  @Test("a look between two costly readings repeats the last answer; the next reading sees the I/O")
  func costlyReadingsAreSpaced() throws {
    try withBusyCgroup { _, cgroup, _ in
      // A budget that allows no reading after the first (made with the source, which has nothing
      // to compare with): every look repeats "no I/O" while the reader reads.
      let spaced = try CgroupActivity(cgroup: cgroup.path, readingShare: 1e-12)
      for _ in 0..<5 {
        #expect(try !spaced.didIO())
        Thread.sleep(forTimeInterval: 0.02)
      }
      // With the default budget a cgroup this small is read at every look: the I/O is seen.
      let everyLook = try CgroupActivity(cgroup: cgroup.path)
      let seen = try poll("the reader's I/O", timeout: 10, interval: 0.02) {
        try everyLook.didIO() ? true : nil
      }
      #expect(seen)
    }
  }

  @Test("a run refuses a protected cgroup that does not exist, touching nothing")
  func refusesAMissingCgroup() throws {
    try withScratchFilesystem { scratch in
      try scratch.fragment(fileCount: 20, fileSize: 16 << 20, seed: 4)
      let run = try StewardRun(
        scratch,
        policy: compactionPolicy + "\npacing:\n  protect-cgroup: /btrfs-steward-test-absent\n")
      let result = try run.run()
      #expect(result.status == ExitStatus.pressureUnreadable.rawValue, "\(result)")
      #expect(((try? run.records()) ?? []).isEmpty, "nothing journaled")
    }
  }
}
