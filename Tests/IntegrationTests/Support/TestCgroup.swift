import Foundation
import Steward

/// A cgroup v2 with a unique name below the hierarchy's root, removed by ``remove()``.
struct TestCgroup {
  let path = "/btrfs-steward-test-\(UUID().uuidString.prefix(8).lowercased())"
  let directory: String

  init() throws {
    directory = try CgroupHierarchy.mountpoint() + path
    guard mkdir(directory, 0o755) == 0 else {
      throw CgroupFailure(description: "mkdir \(directory): \(String(cString: strerror(errno)))")
    }
  }

  /// Starts a shell in the cgroup that reads `file` with direct I/O, over and over.
  func startReader(of file: String) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = [
      "-c",
      "echo $$ > \"$0\" && while :; do dd if=\"$1\" of=/dev/null bs=64k iflag=direct 2>/dev/null;"
        + " done", directory + "/cgroup.procs", file,
    ]
    try process.run()
    return process
  }

  func remove() {
    for _ in 0..<50 where rmdir(directory) != 0 && errno != ENOENT {
      Thread.sleep(forTimeInterval: 0.1)
    }
  }
}

/// Runs `body` on a fragmented scratch filesystem with a test cgroup whose one process reads a file
/// of it with direct I/O, over and over; the reader is ended and the cgroup removed afterwards.
/// `body` gets the cgroup and the reader, whose end makes the cgroup quiet.
func withBusyCgroup<Result>(
  _ body: (ScratchFilesystem, TestCgroup, Process) throws -> Result
) throws -> Result {
  try withScratchFilesystem { scratch in
    try scratch.fragment(fileCount: 40, fileSize: 16 << 20, seed: 9)
    let busyFile = scratch.mountpoint + "/busy.dat"
    try Data(repeating: 7, count: 1 << 20).write(to: URL(fileURLWithPath: busyFile))
    let cgroup = try TestCgroup()
    defer { cgroup.remove() }
    let reader = try cgroup.startReader(of: busyFile)
    defer { endIfRunning(reader) }
    return try body(scratch, cgroup, reader)
  }
}

/// Why a test cgroup could not be made.
struct CgroupFailure: Error, CustomStringConvertible {
  var description: String
}
