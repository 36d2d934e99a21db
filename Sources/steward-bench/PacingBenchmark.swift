import ArgumentParser
import Btrfs
import Foundation
import Steward

/// Measures the machine, not the tool: a bursty foreground's latency on a loop-mounted
/// filesystem whose I/O reaches the disk, idle and during the same compaction done by
/// btrfs-steward unpaced and paced, python-btrfs's least-used balancer and `btrfs balance
/// -dusage`.
struct PacingBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pacing",
    abstract:
      "Foreground fio latency idle and during one compaction by btrfs-steward (unpaced, paced), "
      + "python-btrfs and btrfs balance -dusage.",
    discussion: """
      Builds one fragmented image (as `compaction` does) with fio's files on it, then for each \
      contender copies it, attaches the copy with `losetup --direct-io=on` (checked in sysfs: \
      the work directory must be on a filesystem with O_DIRECT), mounts it, starts the \
      foreground (fio: random 4 KiB direct reads and fsync'd 4 KiB writes, rate-limited, busy \
      for --busy-seconds then quiet for --quiet-seconds, repeated), runs the contender's \
      compaction, and stops fio when the compaction ends. fio runs in a cgroup v2 of its own, \
      made for the benchmark. The idle row is fio alone for --idle-seconds. Every fio I/O \
      happens in a busy period, so its percentiles are the busy periods'. Every contender \
      compacts data block groups below the same usage. btrfs-steward runs paced twice: by \
      system PSI (--pacing) and protecting fio's cgroup (--cgroup-pacing plus \
      'protect-cgroup'). Prints the table and, for each paced run, the targets (paced \
      fsync'd-write p99 ≤ 2× idle, p99.9 ≤ 3× idle, paced compaction ≤ 3× unpaced) and \
      writes them as JSON.
      """
  )

  @Option(help: "The image size (a truncate size).")
  var imageSize = "12G"

  @Option(help: "The data chunk size in MiB (a multiple of 256), set in sysfs on every mount.")
  var dataChunkMib: UInt64 = 256

  @Option(help: "Files written before a seeded share is deleted.")
  var fileCount = 900

  @Option(help: "The size of each file in MiB.")
  var fileSizeMib = 8

  @Option(help: "The seed that picks the deleted files.")
  var seed: UInt64 = 1

  @Option(help: "Each file is a directory of small files of this many KiB (0: one file each).")
  var pieceKib = 0

  @Option(help: "The usage threshold in percent every contender compacts below.")
  var usage = 70

  @Option(help: "Seconds of foreground I/O in each busy period.")
  var busySeconds = 2

  @Option(help: "Seconds without foreground I/O in each quiet period.")
  var quietSeconds = 2

  @Option(help: "Foreground 4 KiB direct reads per second in busy periods.")
  var readIOPS = 300

  @Option(help: "Foreground fsync'd 4 KiB writes per second in busy periods.")
  var writeIOPS = 100

  @Option(help: "How long the idle foreground is measured, in seconds.")
  var idleSeconds = 24

  @Option(help: "A compaction still running after this many seconds is interrupted (SIGINT).")
  var maximumCompactionSeconds = 200

  @Option(help: "The PSI-paced run's pacing section, as 'key: value' lines separated by ';'.")
  var pacing = "max-io-pressure: 10%"

  @Option(
    help: """
      The cgroup-paced run's pacing section beside 'protect-cgroup' (the foreground's cgroup), \
      as 'key: value' lines separated by ';'.
      """)
  var cgroupPacing = "on-pressure-in-flight: pause"

  @Option(
    name: .customLong("rows"),
    help: """
      The rows measured, in order, separated by ',': idle, unpaced, psi, cgroup, python, kernel \
      (the targets need idle, unpaced and a paced row; they take the lowest idle figures).
      """)
  var rowNames = "idle,unpaced,psi,cgroup,python,kernel,idle"

  @Option(help: "The python interpreter that has python-btrfs.")
  var python = "/usr/bin/python3"

  @Option(help: "Where copies are made: a filesystem with O_DIRECT (not tmpfs).")
  var workDirectory = "/var/tmp"

  @Option(help: "Where to write the results as JSON.")
  var jsonOutput = "pacing-benchmark.json"

  @Option(
    help: ArgumentHelp(
      """
      Keep, in this directory (made if missing), fio's log of every write and each \
      btrfs-steward row's --json events stamped with the time they came, and print for each \
      btrfs-steward row which writes were slow and what the run was doing when they began. \
      Traced rows' writes are O_SYNC instead of each followed by an fsync (fio logs no fsync \
      latencies), so their figures are those writes' latencies, sync included.
      """, valueName: "directory"),
    completion: .directory)
  var traceDirectory: String?

  func run() throws {
    guard geteuid() == 0 else { throw BenchmarkFailure("pacing needs root") }
    Interruption.install()
    let steward = try stewardExecutable()
    _ = try Command.run(["sh", "-c", "command -v fio"])
    let workdir = URL(fileURLWithPath: workDirectory)
      .appendingPathComponent("steward-bench-pacing-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(at: workdir) }
    let foreground = ForegroundWorkload(
      busySeconds: busySeconds, quietSeconds: quietSeconds, readIOPS: readIOPS,
      writeIOPS: writeIOPS)
    let image = CompactionImage(
      size: imageSize, dataChunkSize: dataChunkMib << 20, fileCount: fileCount,
      fileSize: fileSizeMib << 20, seed: seed, pieceSize: pieceKib > 0 ? pieceKib << 10 : nil)
    let master = workdir.appendingPathComponent("master.img")
    print(
      "Building a \(imageSize) image: \(fileCount) files of \(fileSizeMib) MiB, a seeded share deleted, fio's files…"
    )
    let fsid = try image.build(master: master) { mountpoint in
      try foreground.layOut(mountpoint: mountpoint, in: workdir)
    }
    defer { unlink(FilesystemLock.btrfsMaintenanceLockPath(fsid: fsid)) }
    let cgroup = try ForegroundCgroup()
    defer { cgroup.remove() }

    func lines(_ text: String) -> [String] {
      text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        .filter { !$0.isEmpty }
    }
    let pacingLines = lines(pacing)
    let cgroupPacingLines = ["protect-cgroup: \(cgroup.path)"] + lines(cgroupPacing)
    let known: [String: (any CompactionContender)?] = [
      "idle": nil,
      "unpaced": PacedStewardCompaction(executable: steward, usage: usage, pacing: nil),
      "psi": PacedStewardCompaction(
        executable: steward, usage: usage, pacing: pacingLines, signal: "PSI"),
      "cgroup": PacedStewardCompaction(
        executable: steward, usage: usage, pacing: cgroupPacingLines, signal: "cgroup"),
      "python": PythonLeastUsed(python: python, usage: usage),
      "kernel": KernelUsageBalance(usage: usage),
    ]
    let contenders = try rowNames.split(separator: ",").map { name in
      guard let contender = known[String(name)] else {
        throw BenchmarkFailure("--rows: '\(name)' is not one of \(known.keys.sorted())")
      }
      return contender
    }
    if let traceDirectory {
      try FileManager.default.createDirectory(
        atPath: traceDirectory, withIntermediateDirectories: true)
    }
    var rows: [PacingRow] = []
    for (number, contender) in contenders.enumerated() {
      try Interruption.check()
      let name = contender?.name ?? "idle (no compaction)"
      print("Measuring \(name) on copy \(number + 1)…")
      let trace = traceDirectory.map {
        URL(fileURLWithPath: $0).appendingPathComponent("row-\(number + 1)")
      }
      let row = try image.withCopy(
        of: master, name: "copy-\(number + 1)", in: workdir, directIO: true
      ) { copy in
        try measure(
          contender, name: name, on: copy, foreground: foreground, cgroup: cgroup, trace: trace)
      }
      print("  " + row.line)
      for line in row.trace?.lines ?? [] { print("  " + line) }
      rows.append(row)
    }
    let report = PacingReport(
      foreground: foreground, usage: usage,
      pacing: [
        "btrfs-steward paced (PSI)": pacingLines,
        "btrfs-steward paced (cgroup)": cgroupPacingLines,
      ], rows: rows, traced: traceDirectory != nil)
    print("")
    print(report.rendered())
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try encoder.encode(report).write(to: URL(fileURLWithPath: jsonOutput))
    print("")
    print("JSON: \(URL(fileURLWithPath: jsonOutput).standardizedFileURL.path)")
  }

  /// One row: the foreground's latency while `contender` compacts `copy` (or, without one, idle).
  /// With `trace` (a path prefix), fio logs every write there and a btrfs-steward row's events
  /// are kept beside it (``PacingTrace``).
  private func measure(
    _ contender: (any CompactionContender)?, name: String, on copy: MountedCopy,
    foreground: ForegroundWorkload, cgroup: ForegroundCgroup, trace: URL?
  ) throws -> PacingRow {
    let before = try settledLayout(copy.mountpoint)
    let steward = contender as? PacedStewardCompaction
    var command = try contender?.prepare(copy)
    let events = steward == nil ? nil : trace.map { URL(fileURLWithPath: $0.path + "-events") }
    if events != nil { command?.append("--json") }
    let writeLog = trace.map { $0.path + "-writes" }
    let fio = try foreground.start(
      mountpoint: copy.mountpoint, in: copy.directory, cgroup: cgroup,
      maximumSeconds: foreground.warmUpSeconds + max(idleSeconds, maximumCompactionSeconds) + 30,
      writeLog: writeLog)
    defer { fio.kill() }
    let warmedUp = Date() + Double(foreground.warmUpSeconds)
    while Date() < warmedUp {
      try Interruption.check()
      Thread.sleep(forTimeInterval: 0.02)
    }
    var seconds: Double?
    var finished = true
    if let command {
      (seconds, finished) = try compact(
        command, log: copy.directory.appendingPathComponent("output.log"), events: events)
    } else {
      let end = Date() + Double(idleSeconds)
      while Date() < end {
        try Interruption.check()
        Thread.sleep(forTimeInterval: 0.2)
      }
    }
    let latency = try fio.stop()
    let after = try settledLayout(copy.mountpoint)
    let gone = Set(before.blockGroups.map(\.vaddr)).subtracting(after.blockGroups.map(\.vaddr))
    let timeline = try steward?.timeline(copy)
    let traced = try events.map { events in
      try PacingTrace(writeLog: writeLog!, events: events)
    }
    return PacingRow(
      name: name, command: command, compactionSeconds: seconds, finished: finished,
      blockGroupsRelocated: gone.count,
      unallocatedRegained: Int64(after.unallocatedBytes) - Int64(before.unallocatedBytes),
      latency: latency, timeline: timeline, trace: traced)
  }

  /// Runs one compaction, interrupting it (SIGINT) after --maximum-compaction-seconds; returns its
  /// wall time and whether it finished by itself. Its output goes to `log`, or with `events` its
  /// standard output there, each line stamped (``StampedOutput``).
  private func compact(_ command: [String], log: URL, events: URL?) throws -> (Double, Bool) {
    _ = FileManager.default.createFile(atPath: log.path, contents: nil)
    let output = try FileHandle(forWritingTo: log)
    defer { try? output.close() }
    let stamped = try events.map { try StampedOutput(to: $0) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: command[0])
    process.arguments = Array(command.dropFirst())
    process.standardOutput = stamped?.pipe ?? output
    process.standardError = output
    let start = DispatchTime.now().uptimeNanoseconds
    try process.run()
    try? stamped?.pipe.fileHandleForWriting.close()
    defer { stamped?.finish() }
    var interrupted = false
    while process.isRunning {
      let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
      if !interrupted,
        elapsed > Double(maximumCompactionSeconds) || (try? Interruption.check()) == nil
      {
        interrupted = true
        kill(process.processIdentifier, SIGINT)
      }
      if elapsed > Double(maximumCompactionSeconds) + 120 {
        kill(process.processIdentifier, SIGKILL)
      }
      // Often enough that the compaction's time is not rounded up by the look.
      usleep(1_000)
    }
    process.waitUntilExit()
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    try Interruption.check()
    guard interrupted || process.terminationStatus == 0 else {
      let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
      throw BenchmarkFailure(
        "`\(command.joined(separator: " "))` exited with \(process.terminationStatus):\n"
          + text.split(separator: "\n").suffix(15).joined(separator: "\n"))
    }
    return (seconds, !interrupted)
  }
}
