import ArgumentParser
import Btrfs
import Foundation
import Steward

/// Times how fast a run stops on SIGTERM while it waits rather than balances: for another run's
/// lock (`run --wait`) and between two operations (`pause-between`). Target: under 100 ms.
struct WaitStopBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "wait-stop",
    abstract: "Time from SIGTERM to exit while a run waits (for a lock, in pause-between).",
    discussion: """
      Builds a scratch filesystem, then --trials times: holds btrfs-steward's lock for it and \
      starts `run --wait`, signals it after 300 ms, and times its exit; and starts a run whose \
      policy has `pause-between: 60s`, signals it once its first operation is journaled as \
      finished, and times its exit (the next trial carries the run on). Target: 100 ms.
      """
  )

  @Option(help: "How many trials of each wait.")
  var trials = 3

  static let target = 0.100

  func run() throws {
    let executable = try stewardExecutable()
    let image = try ScratchImage(size: "3G", prefix: "steward-bench")
    defer { image.remove() }
    print("Writing 1.25 GiB in 16 MiB files and deleting about half…")
    try image.fragment(fileCount: 80, fileSize: 16 << 20, seed: 5)
    let policy = image.directory.appendingPathComponent("policy.yaml").path
    try """
    version: 1
    name: wait-stop
    limits: { pause-between: 60s }
    rules:
      - name: compact
        select: { type: data, usage-below: 95% }
    """.write(toFile: policy, atomically: true, encoding: .utf8)
    let state = image.directory.appendingPathComponent("state").path
    let runtime = image.directory.appendingPathComponent("run").path
    let arguments = [
      "run", "--policy", policy, "--state-dir", state, "--runtime-dir", runtime, image.mountpoint,
    ]
    let fsid = try FileSystem(path: image.mountpoint).info().fsid
    try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true)

    print("\nwait            trial  SIGTERM to exit   exit status  target 100 ms")
    for trial in 1...trials {
      let lock = try FilesystemLock(
        path: FilesystemLock.stewardLockPath(fsid: fsid, runtimeDirectory: runtime))
      let process = try start(executable, arguments + ["--wait"])
      usleep(300_000)
      let seconds = signalAndTime(process)
      withExtendedLifetime(lock) {}
      report("lock (--wait)", trial, seconds, process.terminationStatus)
    }
    let journal = try JournalFile(stateDirectory: state, fsid: fsid)
    for trial in 1...trials {
      let finishedBefore = try finishedOperations(journal)
      let process = try start(executable, arguments)
      let deadline = Date().addingTimeInterval(120)
      while try finishedOperations(journal) == finishedBefore, process.isRunning,
        Date() < deadline
      {
        usleep(1_000)
      }
      guard process.isRunning else {
        print("pause-between   \(trial)      (the run ended: nothing left to wait between)")
        break
      }
      // The operation's record is on disk just before the wait begins.
      usleep(20_000)
      report("pause-between", trial, signalAndTime(process), process.terminationStatus)
    }
  }

  private func finishedOperations(_ journal: JournalFile) throws -> Int {
    try journal.read().records.count {
      if case .operationFinished = $0.event { true } else { false }
    }
  }

  /// Sends SIGTERM and times the exit; `nil` when the run had already exited (nothing was
  /// stopped, so the trial proves nothing).
  private func signalAndTime(_ process: Process) -> Double? {
    guard process.isRunning else { return nil }
    let signalled = DispatchTime.now().uptimeNanoseconds
    kill(process.processIdentifier, SIGTERM)
    process.waitForExit()
    return Double(DispatchTime.now().uptimeNanoseconds - signalled) / 1e9
  }

  /// One trial's line: met only when the run was stopped in time and exited as a stopped run does
  /// (75, paused); a run that ended by itself just before the signal exits otherwise.
  private func report(_ wait: String, _ trial: Int, _ seconds: Double?, _ status: Int32) {
    let verdict: String
    if seconds == nil {
      verdict = "not counted: the run had exited before the signal"
    } else if status != ExitStatus.paused.rawValue {
      verdict = "MISSED: not the exit of a stopped run"
    } else {
      verdict = seconds! < Self.target ? "met" : "MISSED"
    }
    print(
      wait.padding(toLength: 16, withPad: " ", startingAt: 0)
        + "\(trial)".padding(toLength: 7, withPad: " ", startingAt: 0)
        + (seconds.map(milliseconds) ?? "—").padding(toLength: 18, withPad: " ", startingAt: 0)
        + "\(status)".padding(toLength: 13, withPad: " ", startingAt: 0) + verdict)
  }

  private func start(_ executable: String, _ arguments: [String]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
  }
}
