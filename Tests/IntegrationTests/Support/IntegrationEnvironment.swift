import Foundation

/// Whether integration tests on real btrfs can run here, and why not. Outside CI they are skipped
/// when the machine cannot run them; under `CI=true` they always run, and a missing prerequisite
/// fails them loudly.
enum IntegrationEnvironment {
  /// Whether this is a CI run.
  static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

  /// What this machine lacks to run integration tests (empty when it has everything).
  static let missingPrerequisites: [String] = {
    var missing: [String] = []
    if getuid() != 0 { missing.append("root (loop devices and mounts need it)") }
    for tool in ["mkfs.btrfs", "btrfs", "losetup", "mount", "umount"]
    where !isOnPath(tool) {
      missing.append("the \(tool) command (apt-get install btrfs-progs util-linux mount)")
    }
    if !FileManager.default.fileExists(atPath: "/dev/loop-control") {
      missing.append("/dev/loop-control (loop device support)")
    }
    let filesystems = (try? String(contentsOfFile: "/proc/filesystems", encoding: .utf8)) ?? ""
    if !filesystems.contains("btrfs") { missing.append("btrfs in the kernel (modprobe btrfs)") }
    return missing
  }()

  /// Whether the integration suites should run: always under CI, else when nothing is missing.
  static let shouldRun = isCI || missingPrerequisites.isEmpty

  /// Throws, naming what is missing, when a prerequisite is missing.
  static func requirePrerequisites() throws {
    if !missingPrerequisites.isEmpty {
      throw MissingPrerequisites(missing: missingPrerequisites)
    }
  }

  /// The search path for the tools tests run: the environment's, then the system directories.
  static let searchPath: String = {
    let inherited = ProcessInfo.processInfo.environment["PATH"].map { $0 + ":" } ?? ""
    return inherited + "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  }()

  private static func isOnPath(_ tool: String) -> Bool {
    searchPath.split(separator: ":").contains {
      FileManager.default.isExecutableFile(atPath: "\($0)/\(tool)")
    }
  }
}

/// Integration tests cannot run on this machine.
struct MissingPrerequisites: Error, CustomStringConvertible {
  var missing: [String]
  var description: String {
    "integration tests need: " + missing.joined(separator: "; ")
  }
}
