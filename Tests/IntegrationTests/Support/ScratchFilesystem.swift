import Foundation

/// A btrfs filesystem made for one test: a sparse image in a temporary directory, attached to a loop
/// device and mounted at a mountpoint of its own. ``withScratchFilesystem(size:features:_:)`` always
/// unmounts, detaches and deletes it, whether the test passes, fails or throws.
final class ScratchFilesystem {
  /// The temporary directory holding the image and the mountpoint.
  let directory: URL
  /// The image file.
  let image: URL
  /// The loop device the image is attached to.
  let loopDevice: String
  /// Where the filesystem is mounted.
  let mountpoint: String

  fileprivate init(size: String, features: [String], mkfsArguments: [String]) throws {
    try IntegrationEnvironment.requirePrerequisites()
    directory = URL(fileURLWithPath: NSTemporaryDirectory())
      .appendingPathComponent("btrfs-steward-test-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    image = directory.appendingPathComponent("fs.img")
    mountpoint = directory.appendingPathComponent("mnt").path
    var attached: String?
    do {
      try shell("truncate", "-s", size, image.path)
      let featureArguments = features.isEmpty ? [] : ["-O", features.joined(separator: ",")]
      _ = try execute(["mkfs.btrfs", "-q", "-f"] + featureArguments + mkfsArguments + [image.path])
        .requireSuccess("mkfs.btrfs")
      attached = try shell("losetup", "--find", "--show", image.path)
        .trimmingCharacters(in: .whitespacesAndNewlines)
      try FileManager.default.createDirectory(atPath: mountpoint, withIntermediateDirectories: true)
      try shell("mount", "-t", "btrfs", attached!, mountpoint)
    } catch {
      if let attached { _ = try? shell("losetup", "-d", attached) }
      try? FileManager.default.removeItem(at: directory)
      throw error
    }
    loopDevice = attached!
  }

  /// Unmounts, detaches and deletes everything this filesystem made.
  fileprivate func destroy() {
    // A balance the test left running or paused would keep the unmount busy or resume on mount.
    _ = try? execute(["btrfs", "balance", "cancel", mountpoint])
    if (try? execute(["umount", mountpoint]))?.status != 0 {
      _ = try? execute(["umount", "-l", mountpoint])
    }
    _ = try? execute(["losetup", "-d", loopDevice])
    try? FileManager.default.removeItem(at: directory)
  }

  /// The path of a file inside the filesystem.
  func path(_ name: String) -> String { mountpoint + "/" + name }

  /// Commits the filesystem so block-group usage on disk reflects every write and delete.
  func sync() throws {
    try shell("btrfs", "filesystem", "sync", mountpoint)
  }

  /// Writes `fileCount` files of `fileSize` bytes, then deletes a seeded, deterministic choice of them,
  /// with the share kept varying from region to region, so data block groups end up at varied usage.
  /// The same seed always gives the same files, bytes and deletions.
  func fragment(fileCount: Int, fileSize: Int, seed: UInt64 = 1) throws {
    var random = SeededGenerator(seed: seed)
    let chunk = [UInt8]((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) })
    for index in 0..<fileCount {
      let handle = try FileHandle(forWritingTo: createFile("f\(index)"))
      var written = 0
      while written < fileSize {
        let count = min(chunk.count, fileSize - written)
        try handle.write(contentsOf: chunk[0..<count])
        written += count
      }
      try handle.close()
    }
    try sync()
    let keepPercents = [5, 60, 20, 90, 35, 10, 75]
    for index in 0..<fileCount {
      let keep = keepPercents[(index * keepPercents.count / max(fileCount, 1)) % keepPercents.count]
      if Int(random.next() % 100) >= keep {
        try FileManager.default.removeItem(atPath: path("f\(index)"))
      }
    }
    try sync()
  }

  private func createFile(_ name: String) throws -> URL {
    let url = URL(fileURLWithPath: path(name))
    FileManager.default.createFile(atPath: url.path, contents: nil)
    return url
  }
}

/// Makes a scratch btrfs filesystem, runs `body` with it, and always destroys it afterwards.
func withScratchFilesystem<Result>(
  size: String = "2G", features: [String] = [], mkfsArguments: [String] = [],
  _ body: (ScratchFilesystem) throws -> Result
) throws -> Result {
  let fileSystem = try ScratchFilesystem(
    size: size, features: features, mkfsArguments: mkfsArguments)
  defer { fileSystem.destroy() }
  return try body(fileSystem)
}

/// A small deterministic random generator (SplitMix64), so test data is the same on every run.
struct SeededGenerator: RandomNumberGenerator {
  private var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var mixed = state
    mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
    mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
    return mixed ^ (mixed >> 31)
  }
}

extension CommandResult {
  /// The result itself, or a ``CommandFailed`` naming `what` when the status is not zero.
  func requireSuccess(_ what: String) throws -> CommandResult {
    guard status == 0 else {
      throw CommandFailed(command: [what], status: status, output: standardError + standardOutput)
    }
    return self
  }
}
