import Foundation
import Steward

/// The bursty foreground the pacing benchmark measures: `fio` doing random 4 KiB direct reads and
/// small fsync'd 4 KiB writes on the filesystem under test, rate-limited, in busy periods of
/// `busySeconds` separated by quiet periods of `quietSeconds` (fio's `thinktime_iotime`), so every
/// I/O fio measures happens in a busy period.
struct ForegroundWorkload: Codable {
  /// Seconds of I/O, then seconds of none, repeated.
  var busySeconds: Int
  var quietSeconds: Int
  /// Reads and writes per second during busy periods.
  var readIOPS: Int
  var writeIOPS: Int
  /// The directory (on the filesystem under test) of fio's files, relative to the mountpoint.
  static let directory = "foreground"

  /// Seconds from fio's start to its first regular busy period, which the measurement waits for.
  /// fio's first cycle does I/O through its first quiet period too (busy for `busySeconds +
  /// quietSeconds`, checked with fio 3.33's latency logs), and a quiet period follows; from then
  /// on the periods are as asked. fio records nothing before then (`ramp_time`), and the
  /// compaction starts then: at the start of a busy period, the worst moment for a paced run,
  /// which must wait through all of it first.
  var warmUpSeconds: Int { busySeconds + 2 * quietSeconds }

  /// The job file, for the filesystem mounted at `mountpoint`, stopping after `maximumSeconds`.
  /// With `writeLog` (a path prefix), fio logs every write's latency there (`<writeLog>_lat.N.log`,
  /// N fio's job number, times in Unix milliseconds), and each write is `O_SYNC` instead of being
  /// followed by an fsync: fio logs no fsync latencies, and an `O_SYNC` write's completion latency
  /// includes its sync.
  func jobFile(mountpoint: String, maximumSeconds: Int, writeLog: String? = nil) -> String {
    let durability =
      writeLog.map { "sync=1\nwrite_lat_log=\($0)\nlog_unix_epoch=1" } ?? "fsync=1"
    return """
      [global]
      directory=\(mountpoint)/\(Self.directory)
      ioengine=psync
      bs=4k
      time_based=1
      runtime=\(maximumSeconds)s
      thinktime=\(quietSeconds)s
      thinktime_iotime=\(busySeconds)s
      ramp_time=\(warmUpSeconds)s
      percentile_list=50:99:99.9
      randrepeat=1

      [reads]
      rw=randread
      filename=reads.dat
      size=256m
      direct=1
      rate_iops=\(readIOPS)

      [writes]
      rw=randwrite
      filename=writes.dat
      size=64m
      \(durability)
      rate_iops=\(writeIOPS)

      """
  }

  /// Lays out fio's files on the filesystem at `mountpoint` (run once, on the master image).
  func layOut(mountpoint: String, in directory: URL) throws {
    try FileManager.default.createDirectory(
      atPath: mountpoint + "/" + Self.directory, withIntermediateDirectories: false)
    let job = directory.appendingPathComponent("layout.fio")
    try jobFile(mountpoint: mountpoint, maximumSeconds: 1).write(
      to: job, atomically: true, encoding: .utf8)
    _ = try Command.run(["fio", "--create_only=1", job.path])
  }

  /// Starts fio on the filesystem at `mountpoint`, inside `cgroup`; its JSON goes to a file in
  /// `directory`. With `writeLog`, every write's latency is logged
  /// (``jobFile(mountpoint:maximumSeconds:writeLog:)``).
  func start(
    mountpoint: String, in directory: URL, cgroup: ForegroundCgroup, maximumSeconds: Int,
    writeLog: String? = nil
  ) throws -> RunningForeground {
    let job = directory.appendingPathComponent("foreground.fio")
    try jobFile(mountpoint: mountpoint, maximumSeconds: maximumSeconds, writeLog: writeLog).write(
      to: job, atomically: true, encoding: .utf8)
    let output = directory.appendingPathComponent("foreground.json")
    let fio = try Command.run(["sh", "-c", "command -v fio"])
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let command = cgroup.wrapping(
      [fio, "--output-format=json", "--output=\(output.path)", job.path])
    let process = Process()
    process.executableURL = URL(fileURLWithPath: command[0])
    process.arguments = Array(command.dropFirst())
    process.standardOutput = FileHandle.nullDevice
    process.standardError = try FileHandle(
      forWritingTo: {
        let log = directory.appendingPathComponent("fio.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        return log
      }())
    try process.run()
    return RunningForeground(process: process, output: output, syncedWrites: writeLog != nil)
  }
}

/// A running fio.
struct RunningForeground {
  let process: Process
  let output: URL
  /// Whether its writes are `O_SYNC` (a traced run) rather than each followed by an fsync.
  let syncedWrites: Bool

  /// Stops fio (SIGINT: it ends its jobs and writes its JSON), waiting at most 20 seconds before
  /// killing it, and returns its figures.
  func stop() throws -> ForegroundLatency {
    if process.isRunning { Glibc.kill(process.processIdentifier, SIGINT) }
    let deadline = Date() + 20
    while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    if process.isRunning {
      Glibc.kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      throw BenchmarkFailure("fio did not stop within 20 s of SIGINT; it was killed")
    }
    // On a signal fio writes "fio: terminating on signal 2" into its output before the JSON.
    let text = try Data(contentsOf: output)
    guard let start = text.firstIndex(of: UInt8(ascii: "{")) else {
      throw BenchmarkFailure("fio wrote no JSON to \(output.path)")
    }
    return try ForegroundLatency(fioJSON: text[start...], syncedWrites: syncedWrites)
  }

  /// Kills fio if it still runs (clean-up on failure).
  func kill() {
    guard process.isRunning else { return }
    Glibc.kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
  }
}

/// Completion latency percentiles of one kind of foreground I/O, in milliseconds.
struct LatencyPercentiles: Codable {
  var count: Int
  var p50: Double
  var p99: Double
  var p999: Double
  var max: Double
}

/// What fio measured: its reads' completion latency and its writes' fsync latency (each 4 KiB
/// write is a page-cache copy; the fsync after it is what waits for the disk), or, with
/// `syncedWrites` (a traced run), the latency of its `O_SYNC` writes, sync included.
struct ForegroundLatency: Codable {
  var reads: LatencyPercentiles
  var fsyncedWrites: LatencyPercentiles

  init(fioJSON: Data, syncedWrites: Bool = false) throws {
    guard let root = try JSONSerialization.jsonObject(with: fioJSON) as? [String: Any],
      let jobs = root["jobs"] as? [[String: Any]]
    else { throw BenchmarkFailure("fio's output is not its JSON") }
    func job(_ name: String) throws -> [String: Any] {
      guard let job = jobs.first(where: { $0["jobname"] as? String == name }) else {
        throw BenchmarkFailure("fio's output has no job '\(name)'")
      }
      return job
    }
    reads = try Self.percentiles(job("reads"), section: "read", latency: "clat_ns")
    fsyncedWrites = try Self.percentiles(
      job("writes"), section: syncedWrites ? "write" : "sync",
      latency: syncedWrites ? "clat_ns" : "lat_ns")
  }

  private static func percentiles(
    _ job: [String: Any], section: String, latency: String
  ) throws -> LatencyPercentiles {
    guard let part = job[section] as? [String: Any],
      let figures = part[latency] as? [String: Any],
      let count = (figures["N"] as? NSNumber)?.intValue, count > 0,
      let maximum = (figures["max"] as? NSNumber)?.doubleValue,
      let percentiles = figures["percentile"] as? [String: Any]
    else { throw BenchmarkFailure("fio measured no \(section) latency (no I/O done?)") }
    func value(_ key: String) throws -> Double {
      guard let number = (percentiles[key] as? NSNumber)?.doubleValue else {
        throw BenchmarkFailure("fio's \(section) latency has no \(key) percentile")
      }
      return number / 1e6
    }
    return LatencyPercentiles(
      count: count, p50: try value("50.000000"), p99: try value("99.000000"),
      p999: try value("99.900000"), max: maximum / 1e6)
  }
}
