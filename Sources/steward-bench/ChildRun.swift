import Foundation

/// One measured run of another program: its exit status, its wall time, and the CPU time it and
/// the children it waited for used.
struct ChildRun: Codable {
  /// The exit status.
  var status: Int32
  /// Seconds from start to exit.
  var wallSeconds: Double
  /// User CPU seconds of the program and its waited-for children.
  var userSeconds: Double
  /// System CPU seconds of the program and its waited-for children. For a balance, this includes
  /// the kernel's relocation work done inside the balance ioctl, in the caller's thread.
  var systemSeconds: Double

  /// User plus system CPU seconds.
  var cpuSeconds: Double { userSeconds + systemSeconds }

  /// Runs `arguments` (the executable's absolute path first) with its output written to `log`
  /// (its standard error to `errorLog` when given, else to `log` too), and waits for it. The CPU
  /// times are getrusage(RUSAGE_CHILDREN) deltas around the run, so no other child of this process
  /// may run meanwhile.
  static func run(_ arguments: [String], log: URL, errorLog: URL? = nil) throws -> ChildRun {
    let output = try newFile(log)
    defer { try? output.close() }
    let errors = try errorLog.map(newFile)
    defer { try? errors?.close() }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    process.standardOutput = output
    process.standardError = errors ?? output
    var before = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &before)
    let start = DispatchTime.now().uptimeNanoseconds
    try process.run()
    process.waitForExit()
    let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    var after = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &after)
    return ChildRun(
      status: process.terminationStatus, wallSeconds: wall,
      userSeconds: seconds(after.ru_utime) - seconds(before.ru_utime),
      systemSeconds: seconds(after.ru_stime) - seconds(before.ru_stime))
  }

  /// Like ``run(_:log:errorLog:)``, but a non-zero exit status is a ``BenchmarkFailure`` quoting
  /// the end of the (error) log.
  static func succeeding(_ arguments: [String], log: URL, errorLog: URL? = nil) throws -> ChildRun {
    let run = try run(arguments, log: log, errorLog: errorLog)
    guard run.status == 0 else {
      let text = (try? String(contentsOf: errorLog ?? log, encoding: .utf8)) ?? ""
      let tail = text.split(separator: "\n").suffix(15).joined(separator: "\n")
      throw BenchmarkFailure(
        "`\(arguments.joined(separator: " "))` exited with \(run.status):\n\(tail)")
    }
    return run
  }

  private static func newFile(_ url: URL) throws -> FileHandle {
    _ = FileManager.default.createFile(atPath: url.path, contents: nil)
    return try FileHandle(forWritingTo: url)
  }

  private static func seconds(_ time: timeval) -> Double {
    Double(time.tv_sec) + Double(time.tv_usec) / 1e6
  }
}
