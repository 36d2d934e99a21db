import ArgumentParser
import Btrfs
import Foundation
import Steward

struct DemoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract:
      "Show btrfs-steward at work on a scratch filesystem it makes and removes (needs root).",
    discussion: """
      Makes a 3 GiB sparse image in a temporary directory, formats it, attaches it to a free loop \
      device and mounts it; writes files and deletes most of them so data block groups end up \
      half-empty; shows `usage`; plans with a built-in least-used compaction policy; runs the plan \
      with live progress; shows the result; and unmounts, detaches and deletes everything. Nothing \
      else on the machine is touched.
      """
  )

  @OptionGroup var logging: LogOptions

  /// The policy the demo plans and runs with.
  static let policyText = """
    version: 1
    name: demo-compaction
    rules:
      - name: compact-half-empty
        select: { type: data, usage-below: 75% }
        order: least-used-first
    """

  /// The programs the demo runs, and the Debian package of each.
  static let programs = [
    ("mkfs.btrfs", "btrfs-progs"), ("losetup", "mount"), ("mount", "mount"), ("umount", "mount"),
  ]

  func run() throws {
    try requireRoot()
    let missing = Self.programs.filter { !Command.isAvailable($0.0) }
    guard missing.isEmpty else {
      let packages = Set(missing.map(\.1)).sorted().joined(separator: " ")
      throw failure(
        .unavailable,
        "the demo needs \(missing.map(\.0).joined(separator: ", ")): apt-get install \(packages) "
          + "(or run `make demo`, which does)")
    }
    let loaded: LoadedPolicy
    do {
      let policy = try PolicyLoader().load(yaml: Self.policyText, file: "<demo policy>")
      loaded = LoadedPolicy(
        policy: policy, path: "<demo policy>", digest: PolicyDigest.of(Array(Self.policyText.utf8)))
    } catch {
      throw failure(.failure, "the demo policy is invalid: \(error)")
    }
    print("Making a 3 GiB scratch btrfs filesystem on a loop device…")
    let image = try ScratchImage(size: "3G", prefix: "btrfs-steward-demo")
    defer {
      image.remove()
      print("Removed the scratch filesystem (\(image.loopDevice) detached).")
    }
    print("Writing 60 files of 16 MiB and deleting most of them, unevenly…")
    try image.fragment(fileCount: 60, fileSize: 16 << 20, seed: 1)
    let fileSystem = try withExitStatus { () throws(BtrfsError) in
      try FileSystem(path: image.mountpoint)
    }
    let before = try withExitStatus { () throws(BtrfsError) in try fileSystem.layout() }

    section("1. usage: the filesystem before")
    print(UsageReport(before).rendered())
    section("2. plan: what the policy would do (a dry run; nothing moves)")
    print(Self.policyText.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
    print("")
    print(
      try Planner(policy: loaded.policy, policyDigest: loaded.digest).plan(for: before, at: Date())
        .rendered())
    section("3. run: the plan, block group by block group")
    var state = StateOptions()
    state.stateDir = image.directory.appendingPathComponent("state").path
    state.runtimeDir = image.directory.appendingPathComponent("run").path
    let status = try RunDriver(
      json: false, state: state, wait: false, linesOnStandardOutput: true
    ).run(
      loaded, path: image.mountpoint)
    let after = try withExitStatus { () throws(BtrfsError) in try fileSystem.layout() }
    section("4. usage: the filesystem after")
    print(UsageReport(after).rendered())
    let dataBefore = before.blockGroups.filter { $0.type == .data }.count
    let dataAfter = after.blockGroups.filter { $0.type == .data }.count
    print("")
    print(
      "Data block groups \(dataBefore) → \(dataAfter); unallocated "
        + "\(ByteCount(before.unallocatedBytes)) → \(ByteCount(after.unallocatedBytes)).")
    if status != .success { throw ExitCode(status.rawValue) }
  }

  private func section(_ title: String) {
    print("\n== \(title)\n")
  }
}
