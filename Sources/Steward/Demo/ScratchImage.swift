import Foundation

/// A sparse btrfs image of the benchmark's own, loop-mounted in a temporary directory. ``remove()``
/// unmounts, detaches and deletes it; callers defer it right after creating one.
final class ScratchImage {
  let directory: URL
  let loopDevice: String
  let mountpoint: String

  /// Makes a sparse image of `size` (a `truncate` size such as `3T`), formats and mounts it.
  init(size: String, mkfsArguments: [String] = []) throws {
    directory = URL(fileURLWithPath: NSTemporaryDirectory())
      .appendingPathComponent("steward-bench-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let image = directory.appendingPathComponent("fs.img").path
    mountpoint = directory.appendingPathComponent("mnt").path
    var device: String?
    do {
      try Benchmarks.run(["truncate", "-s", size, image])
      try Benchmarks.run(["mkfs.btrfs", "-q", "-f"] + mkfsArguments + [image])
      device = try Benchmarks.run(["losetup", "--find", "--show", image])
        .trimmingCharacters(in: .whitespacesAndNewlines)
      try FileManager.default.createDirectory(atPath: mountpoint, withIntermediateDirectories: true)
      try Benchmarks.run(["mount", "-t", "btrfs", device!, mountpoint])
    } catch {
      if let device { _ = try? Benchmarks.run(["losetup", "-d", device]) }
      try? FileManager.default.removeItem(at: directory)
      throw error
    }
    loopDevice = device!
  }

  /// Unmounts, detaches and deletes the image.
  func remove() {
    _ = try? Benchmarks.run(["btrfs", "balance", "cancel", mountpoint])
    if (try? Benchmarks.run(["umount", mountpoint])) == nil {
      _ = try? Benchmarks.run(["umount", "-l", mountpoint])
    }
    _ = try? Benchmarks.run(["losetup", "-d", loopDevice])
    try? FileManager.default.removeItem(at: directory)
  }
}
