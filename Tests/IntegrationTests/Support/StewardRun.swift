import Btrfs
import Foundation
import Steward

/// A filesystem a test made and mounted in a temporary directory of its own.
protocol MountedScratch {
  /// The test's temporary directory.
  var directory: URL { get }
  /// Where the filesystem is mounted.
  var mountpoint: String { get }
}

extension ScratchImage: MountedScratch {}
extension MultiDeviceFilesystem: MountedScratch {}

/// A btrfs-steward run against a scratch filesystem, with its own policy file, state and runtime
/// directories inside the scratch directory.
struct StewardRun {
  let scratch: any MountedScratch
  let policyPath: String
  let stateDirectory: String
  let runtimeDirectory: String

  /// Writes `policy` (YAML) next to the filesystem.
  init(_ scratch: any MountedScratch, policy: String) throws {
    self.scratch = scratch
    policyPath = scratch.directory.appendingPathComponent("policy.yaml").path
    stateDirectory = scratch.directory.appendingPathComponent("state").path
    runtimeDirectory = scratch.directory.appendingPathComponent("run").path
    try policy.write(toFile: policyPath, atomically: true, encoding: .utf8)
  }

  /// The arguments of `run` for this filesystem.
  var runArguments: [String] {
    [
      "run", "--policy", policyPath, "--state-dir", stateDirectory, "--runtime-dir",
      runtimeDirectory, scratch.mountpoint,
    ]
  }

  /// `command` with the state options and the mountpoint.
  func control(_ command: String, _ extra: [String] = []) -> [String] {
    [command, "--state-dir", stateDirectory, "--runtime-dir", runtimeDirectory]
      + extra + [scratch.mountpoint]
  }

  /// Runs `btrfs-steward run` to the end.
  func run(environment: [String: String] = [:]) throws -> CommandResult {
    try steward(runArguments, environment: environment)
  }

  /// Starts `btrfs-steward run` in the background, with `extra` arguments, its standard output to
  /// `output` (discarded without).
  func start(
    environment: [String: String] = [:], extra: [String] = [], output: FileHandle? = nil
  ) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: stewardExecutable())
    process.arguments = runArguments + extra
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    process.standardOutput = output ?? FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
  }

  /// The journal's records.
  func records() throws -> [JournalRecord] {
    try journalFile().read().records
  }

  /// The journal file of this filesystem.
  func journalFile() throws -> JournalFile {
    let fsid = try FileSystem(path: scratch.mountpoint).info().fsid
    return try JournalFile(stateDirectory: stateDirectory, fsid: fsid)
  }

  /// How many times the journal says each operation was started (not resumed).
  func startsPerOperation() throws -> [Int: Int] {
    try records().reduce(into: [:]) { counts, record in
      if case .operationStarted(let index, _, _) = record.event { counts[index, default: 0] += 1 }
    }
  }
}

/// Waits until `process` exits (at most two minutes, else it is terminated) and returns its status.
func waitForExit(_ process: Process) throws -> Int32 {
  do {
    return try poll("btrfs-steward to exit", timeout: 120, interval: 0.02) {
      process.isRunning ? nil : process.terminationStatus
    }
  } catch {
    process.terminate()
    throw error
  }
}

/// A policy that compacts every data block group below 90 % usage, emptiest first.
let compactionPolicy = """
  version: 1
  name: integration-compaction
  rules:
    - name: compact
      select: { type: data, usage-below: 90% }
      order: least-used-first
  """

/// Fills a 2 GiB scratch filesystem with 1.25 GiB of small files and deletes about half, unevenly:
/// several data block groups at varied usage, whose many small extents take the kernel most of a
/// second each to relocate — long enough to interrupt an operation reliably.
func fragmentForInterruption(_ scratch: ScratchFilesystem, seed: UInt64) throws {
  try scratch.fragment(fileCount: 80, fileSize: 16 << 20, seed: seed, pieceSize: 64 << 10)
}
