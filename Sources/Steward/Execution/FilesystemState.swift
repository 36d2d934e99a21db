import Btrfs
import Foundation
import Glibc

/// Where a filesystem stands, told by the kernel and the journal together: what `status` prints and
/// what `pause`, `resume` and `cancel` act on.
public struct FilesystemState: Sendable {
  /// The kernel's balance, if any.
  public var kernelBalance: BalanceProgress?
  /// The exclusive operation the filesystem is busy with.
  public var exclusiveOperation: ExclusiveOperation
  /// The journal's last run.
  public var lastRun: RunHistory?
  /// What the journal could not be trusted to say (corrupt records), if anything.
  public var journalWarning: String?
  /// Whether the process of the last run is alive, proven by its journaled start time: only then
  /// may another shell signal it.
  public var runProcessAlive: Bool

  /// Reads the state of `target` (the filesystem `fsid`) and its journal under `stateDirectory`.
  public static func read(
    target: any BalanceTarget, fsid: String, stateDirectory: String
  ) throws(ExecutionError) -> FilesystemState {
    let file: JournalFile
    let contents: JournalContents
    do {
      file = try JournalFile(stateDirectory: stateDirectory, fsid: fsid)
      contents = try file.readLastRun()
    } catch {
      throw .journal(error)
    }
    let lastRun = JournalReplay.runs(contents.records).last
    do {
      return FilesystemState(
        kernelBalance: try target.balanceProgress(),
        exclusiveOperation: try target.exclusiveOperation(),
        lastRun: lastRun,
        journalWarning: contents.corruptionWarning(path: file.path),
        runProcessAlive: lastRun.map { $0.isOpen && ($0.process?.isAlive ?? false) } ?? false)
    } catch {
      throw .kernel(error)
    }
  }

  /// The open run of the journal, if the last run is open.
  public var openRun: RunHistory? { lastRun.flatMap { $0.isOpen ? $0 : nil } }

  /// Whether the kernel's balance is the one btrfs-steward's open run started.
  public var kernelBalanceIsOurs: Bool {
    guard let kernelBalance, let run = openRun else { return false }
    return run.owns(kernelBalance)
  }

  /// Whether a btrfs-steward run is working right now.
  public var isRunning: Bool { runProcessAlive || (kernelBalance?.isRunning ?? false) }

  /// Whether a run or the kernel's balance is paused.
  public var isPaused: Bool {
    if kernelBalance?.isPaused == true { return true }
    if openRun?.outcome?.isPaused == true, !runProcessAlive { return true }
    return false
  }
}
