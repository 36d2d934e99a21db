import Foundation
import Steward

/// The cgroup v2 the pacing benchmark runs its foreground in, so that a paced run can protect it
/// (`protect-cgroup`): made below the hierarchy's root with a unique name, removed (once empty)
/// by ``remove()``.
struct ForegroundCgroup {
  /// The path from the hierarchy's root, as a policy names it: `/steward-bench-XXXXXXXX`.
  let path: String
  /// Its directory.
  let directory: String

  /// Makes the cgroup; fails without cgroup v2.
  init() throws {
    let root = try CgroupHierarchy.mountpoint()
    path = "/steward-bench-\(UUID().uuidString.prefix(8).lowercased())"
    directory = root + path
    guard mkdir(directory, 0o755) == 0 else {
      throw BenchmarkFailure("cannot make the cgroup \(directory): \(String(cgroupError: errno))")
    }
  }

  /// The command line that runs `command` inside the cgroup from its first instruction (a shell
  /// moves itself in, then becomes the command), so that every process it forks is in it too.
  func wrapping(_ command: [String]) -> [String] {
    ["/bin/sh", "-c", "echo $$ > \"$0\" && exec \"$@\"", directory + "/cgroup.procs"] + command
  }

  /// Removes the cgroup; its processes must have ended.
  func remove() {
    // The kernel may take a moment to see the last process gone.
    for _ in 0..<50 {
      if rmdir(directory) == 0 || errno == ENOENT { return }
      Thread.sleep(forTimeInterval: 0.1)
    }
    print("warning: cannot remove the cgroup \(directory): \(String(cgroupError: errno))")
  }
}

extension String {
  fileprivate init(cgroupError code: Int32) {
    self = String(cString: strerror(code))
  }
}
