import ArgumentParser
import Btrfs
import Foundation
import Steward

/// Times how fast a run stops on SIGTERM, against the time the kernel needs to finish the block
/// group in flight, and the CPU time of the run that finishes the plan, per operation.
struct StopLatencyBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "stop-latency",
    abstract:
      "Time from SIGTERM to a clean exit, beside the kernel's time to finish the block group in flight.",
    discussion: """
      Builds a scratch filesystem whose data lies in many small extents (so one block group takes \
      the kernel a second or so), starts `btrfs-steward run`, and --trials times: waits until the \
      kernel relocates, sends SIGTERM, and records when the kernel stopped running (the block group \
      in flight finished and the balance paused) and when the process exited (journal flushed); \
      then the next run carries on. Finally the CPU time of the run that finishes the plan, and \
      its executor's own CPU time per operation.
      """
  )

  @Option(help: "How many SIGTERM trials.")
  var trials = 3

  func run() throws {
    let executable = try stewardExecutable()
    let image = try ScratchImage(size: "3G", prefix: "steward-bench")
    defer { image.remove() }
    print("Writing 2 GiB in 64 KiB files and deleting about half…")
    try image.fragment(fileCount: 120, fileSize: 16 << 20, seed: 3, pieceSize: 64 << 10)
    let policy = image.directory.appendingPathComponent("policy.yaml").path
    try """
    version: 1
    name: stop-latency
    rules:
      - name: compact
        select: { type: data, usage-below: 95% }
    """.write(toFile: policy, atomically: true, encoding: .utf8)
    let arguments = [
      "run", "--policy", policy, "--state-dir",
      image.directory.appendingPathComponent("state").path,
      "--runtime-dir", image.directory.appendingPathComponent("run").path, image.mountpoint,
    ]
    let fileSystem = try FileSystem(path: image.mountpoint)

    print("")
    print("trial  kernel finished block group  process exited  exit overhead")
    for trial in 1...trials {
      let process = try start(executable, arguments)
      guard try waitUntil(timeout: 120, { try fileSystem.balanceProgress()?.isRunning == true })
      else {
        process.waitUntilExit()
        print("  \(trial)  (the run ended before a relocation could be interrupted)")
        break
      }
      let signalled = DispatchTime.now().uptimeNanoseconds
      kill(process.processIdentifier, SIGTERM)
      _ = try waitUntil(timeout: 120, { try fileSystem.balanceProgress()?.isRunning != true })
      let kernelStopped = DispatchTime.now().uptimeNanoseconds
      process.waitForExit()
      let exited = DispatchTime.now().uptimeNanoseconds
      print(
        "  \(trial)    \(milliseconds(Double(kernelStopped - signalled) / 1e9).padding(toLength: 28, withPad: " ", startingAt: 0)) "
          + "\(milliseconds(Double(exited - signalled) / 1e9).padding(toLength: 15, withPad: " ", startingAt: 0)) "
          + "\(milliseconds(Double(exited - kernelStopped) / 1e9))  (exit status \(process.terminationStatus))"
      )
    }

    let finisher = try ChildRun.run(
      [executable] + arguments, log: image.directory.appendingPathComponent("finisher.log"))
    let journal = try JournalFile(
      stateDirectory: image.directory.appendingPathComponent("state").path,
      fsid: fileSystem.info().fsid)
    // The finishing process's records: those after the last start or resumption of the run.
    let records = try journal.read().records
    let ownStart =
      records.lastIndex {
        switch $0.event {
        case .runStarted, .runResumed: true
        default: false
        }
      } ?? 0
    let operations = records[ownStart...].filter {
      if case .operationFinished = $0.event { true } else { false }
    }.count
    let executorCPU = JournalReplay.runs(records).last?.summary?.executorCPUSeconds
    print("")
    print(
      "Finishing run, \(operations) operations: \(milliseconds(finisher.userSeconds)) user CPU "
        + "(btrfs-steward's own code, process start, journal replay and planning included), "
        + "\(milliseconds(finisher.systemSeconds)) system CPU (mostly the kernel relocating "
        + "inside the balance ioctl)")
    if let executorCPU, operations > 0 {
      print(
        "The executor's own thread (re-reading, journaling, polling; not the ioctls): "
          + "\(milliseconds(executorCPU)) of CPU, "
          + "\(milliseconds(executorCPU / Double(operations))) per operation")
    }
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

  private func waitUntil(timeout: Double, _ condition: () throws -> Bool) throws -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      if try condition() { return true }
      usleep(1_000)
    }
    return false
  }
}
