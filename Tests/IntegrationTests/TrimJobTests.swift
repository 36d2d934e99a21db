import Btrfs
import Foundation
import Steward
import Testing

let trimPolicy = """
  version: 1
  name: integration-trim
  trim:
    interval: weekly
  """

@Suite(
  "Trim jobs on a real btrfs filesystem", .serialized,
  .enabled(if: IntegrationEnvironment.shouldRun))
struct TrimJobTests {
  /// An empty system root: no fstrim.timer, no btrfsmaintenance settings.
  private func systemRoot(_ scratch: ScratchFilesystem) throws -> String {
    let root = scratch.directory.appendingPathComponent("root").path
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    return root
  }

  @Test("a trim runs, is journaled, and is not due again within its interval")
  func trimsOnce() throws {
    try withScratchFilesystem { scratch in
      try scratch.fragment(fileCount: 10, fileSize: 16 << 20, seed: 2)
      let run = try MaintenanceRun(
        directory: scratch.directory, mountpoint: scratch.mountpoint, policy: trimPolicy)
      let root = try systemRoot(scratch)
      let first = try steward(run.arguments("trim", ["--system-root", root]))
      #expect(first.status == 0, "\(first.standardError)")
      let trims = try run.records().compactMap { record -> UInt64? in
        if case .trimFinished(let bytes) = record.event { return bytes }
        return nil
      }
      #expect(trims.count == 1 && trims[0] > 512 << 20)
      let second = try steward(run.arguments("trim", ["--system-root", root]))
      #expect(second.status == 0)
      #expect((second.standardOutput + second.standardError).contains("not due"))
      #expect(try run.records().filter { $0.event.isTrimFinished }.count == 1)
    }
  }

  @Test("trim is left to fstrim.timer or btrfsmaintenance when they trim, saying so")
  func deferredToOtherTools() throws {
    try withScratchFilesystem { scratch in
      let run = try MaintenanceRun(
        directory: scratch.directory, mountpoint: scratch.mountpoint, policy: trimPolicy)
      let root = try systemRoot(scratch)
      try FileManager.default.createDirectory(
        atPath: root + "/etc/default", withIntermediateDirectories: true)
      try "BTRFS_TRIM_PERIOD=\"weekly\"\nBTRFS_TRIM_MOUNTPOINTS=\"/srv:\(scratch.mountpoint)\"\n"
        .write(toFile: root + "/etc/default/btrfsmaintenance", atomically: true, encoding: .utf8)
      let maintenance = try steward(run.arguments("trim", ["--system-root", root]))
      #expect(maintenance.status == ExitStatus.trimDeferred.rawValue)
      #expect((maintenance.standardOutput + maintenance.standardError).contains("btrfsmaintenance"))

      try FileManager.default.createDirectory(
        atPath: root + "/etc/systemd/system/timers.target.wants",
        withIntermediateDirectories: true)
      try FileManager.default.createSymbolicLink(
        atPath: root + "/etc/systemd/system/timers.target.wants/fstrim.timer",
        withDestinationPath: "/lib/systemd/system/fstrim.timer")
      let timer = try steward(run.arguments("trim", ["--system-root", root]))
      #expect(timer.status == ExitStatus.trimDeferred.rawValue)
      #expect((timer.standardOutput + timer.standardError).contains("fstrim.timer is enabled"))
      #expect(try run.records().filter { $0.event.isTrimFinished }.isEmpty)
    }
  }

  @Test("trim is refused while a balance of the same filesystem runs")
  func refusedDuringBalance() throws {
    try withScratchFilesystem(size: "3G") { scratch in
      try scratch.fragment(fileCount: 60, fileSize: 16 << 20, seed: 5, pieceSize: 64 << 10)
      let fileSystem = try FileSystem(path: scratch.mountpoint)
      let run = try MaintenanceRun(
        directory: scratch.directory, mountpoint: scratch.mountpoint, policy: trimPolicy)
      let root = try systemRoot(scratch)
      let balance = runInBackground {
        try fileSystem.startBalance(BalanceArguments(data: BalanceFilter()))
      }
      _ = try waitForProgress(fileSystem) { $0.isRunning }
      let refused = try steward(run.arguments("trim", ["--system-root", root]))
      try? fileSystem.cancelBalance()
      _ = try? balance.value()
      #expect(refused.status == ExitStatus.otherJobRunning.rawValue, "\(refused.standardError)")
      #expect((refused.standardOutput + refused.standardError).contains("a balance is running"))
      #expect(try run.records().filter { $0.event.isTrimFinished }.isEmpty)
    }
  }
}

extension JournalEvent {
  var isTrimFinished: Bool {
    if case .trimFinished = self { return true }
    return false
  }
}
