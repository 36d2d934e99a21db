import Foundation
import Synchronization

/// The I/O of the processes in a cgroup v2 (and its descendants), from the kernel's own counters:
/// the cgroup's `io.stat` (`rios`, `wios`, `dios` summed over devices) when the io controller is
/// enabled for it, otherwise each member process's `/proc/PID/io` (`read_bytes` and
/// `write_bytes`: what it fetched from or sent to the storage layer, so that a process reading a
/// pipe or polling `/proc` is not busy). Only a count that grew is activity: a process that ends
/// or leaves takes its count with it. Every file is read as hostile (``PressureFiles``).
public final class CgroupActivity: WorkloadActivity {
  /// The most cgroups (the protected one and its descendants) whose processes are read.
  static let maximumCgroups = 1024
  /// The longest `cgroup.procs` and `io.stat` read.
  static let maximumListLength = 1 << 20
  /// The longest `/proc/PID/io` read.
  static let maximumProcessIOLength = 4096

  private struct Counters {
    /// `io.stat`'s operations, when the cgroup has the file.
    var operations: UInt64?
    /// Bytes through the storage layer by process ID, without `io.stat`.
    var bytesByProcess: [Int32: UInt64] = [:]

    func grew(since earlier: Counters) -> Bool {
      if let operations, let before = earlier.operations { return operations > before }
      return bytesByProcess.contains { process, bytes in
        bytes > earlier.bytesByProcess[process, default: 0]
      }
    }
  }

  /// The cgroup path, from the hierarchy's root.
  public let cgroup: String
  /// Its directory.
  public let directory: String
  public var name: String { "cgroup \(cgroup)" }
  /// The last reading's counters and answer, and when the next reading may be taken: a look
  /// between two readings repeats the answer, and the next reading compares the counters over
  /// the whole time since the last.
  private struct Readings {
    var counters: Counters?
    var answer = false
    var budget: ReadingBudget
  }
  private let readings: Mutex<Readings>

  /// Watches `cgroup` (a path from the cgroup v2 root, like `/user.slice`). Refuses a path that
  /// is not valid (``CgroupHierarchy/isValidPath(_:)``), a cgroup that does not exist or is not on
  /// cgroup2, and a cgroup that holds this process (its own relocation would be the workload's
  /// I/O); reads the counters once.
  public convenience init(cgroup: String) throws(PressureError) {
    try self.init(cgroup: cgroup, readingShare: ReadingBudget.defaultShare)
  }

  /// The same, with readings taking at most `readingShare` of the time (``ReadingBudget``).
  init(cgroup: String, readingShare: Double) throws(PressureError) {
    readings = Mutex(Readings(budget: ReadingBudget(share: readingShare)))
    guard CgroupHierarchy.isValidPath(cgroup) else {
      throw .malformed("'\(cgroup.prefix(80))' is not a cgroup path like /user.slice")
    }
    directory = try CgroupHierarchy.mountpoint() + cgroup
    self.cgroup = cgroup
    guard CgroupHierarchy.isCgroup2Directory(directory) else {
      throw .unreadable(path: directory, reason: "not a cgroup v2 directory")
    }
    let membership = try PressureFiles.read("/proc/\(getpid())/cgroup", limit: 4096)
    if let own = try PressureFiles.cgroupPath(fromMembership: membership),
      own == cgroup || own.hasPrefix(cgroup + "/")
    {
      throw .unreadable(
        path: directory,
        reason: "this process is in it (\(own)): its own I/O would read as the workload's")
    }
    _ = try didIO()
  }

  /// A look while the last reading's cost keeps the next one back (``ReadingBudget``) repeats
  /// the last answer.
  public func didIO() throws(PressureError) -> Bool {
    let start = SuspendingClock.now
    let (allowed, lastAnswer) = readings.withLock {
      ($0.budget.allowsReading(at: start), $0.answer)
    }
    guard allowed else { return lastAnswer }
    let now = try counters()
    return readings.withLock { readings in
      let answer = readings.counters.map { now.grew(since: $0) } ?? false
      readings.counters = now
      readings.answer = answer
      readings.budget.tookReading(from: start, to: SuspendingClock.now)
      return answer
    }
  }

  private func counters() throws(PressureError) -> Counters {
    let ioStat = directory + "/io.stat"
    if FileManager.default.fileExists(atPath: ioStat) {
      return Counters(
        operations: try Self.operations(
          inIOStat: PressureFiles.read(ioStat, limit: Self.maximumListLength)))
    }
    var counters = Counters()
    for process in try processes() {
      // A process that ended between the listing and now has nothing more to do.
      guard
        let text = try? PressureFiles.read(
          "/proc/\(process)/io", limit: Self.maximumProcessIOLength)
      else { continue }
      counters.bytesByProcess[process] = try Self.storageBytes(inProcessIO: text)
    }
    return counters
  }

  /// The processes of the cgroup and of its descendants.
  private func processes() throws(PressureError) -> [Int32] {
    var pending = [directory]
    var seen = 0
    var processes: [Int32] = []
    while let next = pending.popLast() {
      seen += 1
      guard seen <= Self.maximumCgroups else {
        throw .unreadable(path: directory, reason: "more than \(Self.maximumCgroups) cgroups")
      }
      let text = try PressureFiles.read(next + "/cgroup.procs", limit: Self.maximumListLength)
      for line in text.split(separator: "\n") {
        guard let process = Int32(line), process > 0 else {
          throw .malformed("'\(next)/cgroup.procs' lists '\(line.prefix(20))'")
        }
        processes.append(process)
      }
      let entries = (try? FileManager.default.contentsOfDirectory(atPath: next)) ?? []
      for entry in entries {
        var status = stat()
        let path = next + "/" + entry
        if lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR { pending.append(path) }
      }
    }
    return processes
  }

  /// The sum of `rios`, `wios` and `dios` over the lines of an `io.stat` (`MAJ:MIN key=value…`).
  static func operations(inIOStat text: String) throws(PressureError) -> UInt64 {
    var sum: UInt64 = 0
    for line in text.split(separator: "\n") {
      let fields = line.split(separator: " ")
      for field in fields.dropFirst() {
        let pair = field.split(separator: "=", omittingEmptySubsequences: false)
        guard pair.count == 2, let value = UInt64(pair[1]) else {
          throw .malformed("io.stat field '\(field.prefix(40))' is not key=count")
        }
        if ["rios", "wios", "dios"].contains(pair[0]) { sum &+= value }
      }
    }
    return sum
  }

  /// `read_bytes` plus `write_bytes` of a `/proc/PID/io`.
  static func storageBytes(inProcessIO text: String) throws(PressureError) -> UInt64 {
    var values: [Substring: UInt64] = [:]
    for line in text.split(separator: "\n") {
      let pair = line.split(separator: ":", maxSplits: 1)
      guard pair.count == 2, let value = UInt64(pair[1].drop { $0 == " " }) else {
        throw .malformed("/proc/PID/io line '\(line.prefix(40))' is not 'key: count'")
      }
      values[pair[0]] = value
    }
    guard let read = values["read_bytes"], let written = values["write_bytes"] else {
      throw .malformed("/proc/PID/io has no read_bytes or write_bytes")
    }
    return read &+ written
  }
}
