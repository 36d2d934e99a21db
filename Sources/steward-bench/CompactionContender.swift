import Foundation
import Steward

/// One tool the compaction benchmark compares: how it is set up on a mounted copy, and the
/// command line whose run is measured.
protocol CompactionContender {
  /// The name in the table.
  var name: String { get }
  /// Prepares `copy` (files in its directory, untimed) and returns the command line to measure.
  func prepare(_ copy: MountedCopy) throws -> [String]
  /// The contender's own account of its run, read from `copy` after it (btrfs-steward only).
  func report(_ copy: MountedCopy) throws -> StewardReport?
}

extension CompactionContender {
  func report(_ copy: MountedCopy) throws -> StewardReport? { nil }
}

/// python-btrfs's `btrfs-balance-least-used -u USAGE`: data block groups used at most USAGE %
/// (rounded), least used first, one vrange balance each.
struct PythonLeastUsed: CompactionContender {
  var python: String
  var usage: Int
  var name: String { "python-btrfs least-used -u \(usage)" }

  func prepare(_ copy: MountedCopy) throws -> [String] {
    let script = try Command.run([
      "sh", "-c", "dpkg -L python3-btrfs | grep '/btrfs-balance-least-used$'",
    ])
    .trimmingCharacters(in: .whitespacesAndNewlines)
    guard FileManager.default.fileExists(atPath: script) else {
      throw BenchmarkFailure("python3-btrfs's btrfs-balance-least-used is not installed")
    }
    return [python, script, "-u", "\(usage)", copy.mountpoint]
  }
}

/// btrfsmaintenance's `btrfs-balance.sh` with its installed configuration, pointed at the copy: the
/// script and its functions are copied next to a configuration that is the installed one plus
/// `BTRFS_BALANCE_MOUNTPOINTS` and `BTRFS_LOG_OUTPUT=stdout` (the script sources a fixed path in
/// /etc, which the copy reads from the temporary directory instead; /etc is never written).
struct BtrfsMaintenanceBalance: CompactionContender {
  static let directory = "/usr/share/btrfsmaintenance"
  static let configuration = "/etc/default/btrfsmaintenance"

  var name: String { "btrfsmaintenance btrfs-balance.sh" }

  func prepare(_ copy: MountedCopy) throws -> [String] {
    let scripts = copy.directory.appendingPathComponent("btrfsmaintenance")
    try FileManager.default.createDirectory(at: scripts, withIntermediateDirectories: false)
    let config = scripts.appendingPathComponent("btrfsmaintenance.conf").path
    let installed = try String(contentsOfFile: Self.configuration, encoding: .utf8)
    try
      (installed
      + "\nBTRFS_BALANCE_MOUNTPOINTS=\"\(copy.mountpoint)\"\nBTRFS_LOG_OUTPUT=\"stdout\"\n")
      .write(toFile: config, atomically: true, encoding: .utf8)
    for file in ["btrfs-balance.sh", "btrfsmaintenance-functions"] {
      let text = try String(contentsOfFile: Self.directory + "/" + file, encoding: .utf8)
        .replacingOccurrences(of: Self.configuration, with: config)
        .replacingOccurrences(of: "/etc/sysconfig/btrfsmaintenance", with: config)
      try text.write(
        to: scripts.appendingPathComponent(file), atomically: true, encoding: .utf8)
    }
    return ["/bin/bash", scripts.appendingPathComponent("btrfs-balance.sh").path]
  }

  /// The balance passes the installed configuration asks for (on filesystems without mixed
  /// block groups), for the report.
  static func passes() -> [String] {
    let text = (try? String(contentsOfFile: configuration, encoding: .utf8)) ?? ""
    func values(_ key: String) -> [Substring] {
      let line = text.split(separator: "\n").last { $0.hasPrefix(key + "=") } ?? ""
      return line.dropFirst(key.count + 1).split { $0 == "\"" || $0 == " " }
    }
    return ["-dusage=0"] + values("BTRFS_BALANCE_DUSAGE").map { "-dusage=\($0)" }
      + ["-musage=0"] + values("BTRFS_BALANCE_MUSAGE").map { "-musage=\($0)" }
  }
}

/// One `btrfs balance start -dusage=USAGE` over the whole filesystem.
struct KernelUsageBalance: CompactionContender {
  var usage: Int
  var name: String { "btrfs balance -dusage=\(usage)" }

  func prepare(_ copy: MountedCopy) throws -> [String] {
    let btrfs = try Command.run(["sh", "-c", "command -v btrfs"])
      .trimmingCharacters(in: .whitespacesAndNewlines)
    return [btrfs, "balance", "start", "-dusage=\(usage)", copy.mountpoint]
  }
}
