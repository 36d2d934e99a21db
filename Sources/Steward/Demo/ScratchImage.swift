import Btrfs
import Foundation

/// A sparse btrfs image of btrfs-steward's own (for the demo and the benchmarks), loop-mounted in a
/// temporary directory. ``remove()`` unmounts, detaches and deletes it; callers defer it right after
/// creating one. It never touches any other filesystem.
public final class ScratchImage {
  /// The temporary directory holding the image and the mountpoint.
  public let directory: URL
  /// The loop device the image is attached to.
  public let loopDevice: String
  /// Where the filesystem is mounted.
  public let mountpoint: String

  /// Makes a sparse image of `size` (a `truncate` size such as `3G`), formats and mounts it.
  public init(size: String, mkfsArguments: [String] = [], prefix: String = "steward-scratch") throws
  {
    directory = URL(fileURLWithPath: NSTemporaryDirectory())
      .appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let image = directory.appendingPathComponent("fs.img").path
    mountpoint = directory.appendingPathComponent("mnt").path
    var device: String?
    do {
      try Command.run(["truncate", "-s", size, image])
      try Command.run(["mkfs.btrfs", "-q", "-f"] + mkfsArguments + [image])
      device = try Command.run(["losetup", "--find", "--show", image])
        .trimmingCharacters(in: .whitespacesAndNewlines)
      try FileManager.default.createDirectory(atPath: mountpoint, withIntermediateDirectories: true)
      try Command.run(["mount", "-t", "btrfs", device!, mountpoint])
    } catch {
      if let device { _ = try? Command.run(["losetup", "-d", device]) }
      try? FileManager.default.removeItem(at: directory)
      throw error
    }
    loopDevice = device!
  }

  /// Unmounts, detaches and deletes the image.
  /// Runs on it leave btrfsmaintenance's lock file for its fsid in /run; it goes too.
  public func remove() {
    let fsid = try? FileSystem(path: mountpoint).info().fsid
    defer {
      if let fsid { unlink(FilesystemLock.btrfsMaintenanceLockPath(fsid: fsid)) }
    }
    _ = try? Command.run(["btrfs", "balance", "cancel", mountpoint])
    if (try? Command.run(["umount", mountpoint])) == nil {
      _ = try? Command.run(["umount", "-l", mountpoint])
    }
    _ = try? Command.run(["losetup", "-d", loopDevice])
    try? FileManager.default.removeItem(at: directory)
  }
}

extension ScratchImage {
  /// Writes `fileCount` files of `fileSize` bytes, then deletes a seeded, deterministic choice of
  /// them, the share kept varying from region to region, so data block groups end up at varied
  /// usage. The same seed always gives the same files, bytes and deletions, and the same layout:
  /// each file is on disk before the next is written, so its extents are allocated in the order
  /// written rather than whenever writeback gets to them (which varied from machine to machine).
  ///
  /// With `pieceSize`, each file is written as a directory of pieces of that size instead: the data
  /// then lies in many small extents, which the kernel relocates several times slower per byte —
  /// what tests that interrupt a relocation need.
  public func fragment(
    fileCount: Int, fileSize: Int, seed: UInt64 = 1, pieceSize: Int? = nil
  ) throws {
    var random = SplitMix64(seed: seed)
    let pattern = [UInt8]((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) })
    for index in 0..<fileCount {
      let name = mountpoint + "/f\(index)"
      if let pieceSize {
        try FileManager.default.createDirectory(atPath: name, withIntermediateDirectories: false)
        for piece in 0..<max(1, fileSize / pieceSize) {
          try write(pattern, count: pieceSize, to: name + "/p\(piece)", durably: false)
        }
        try sync()
      } else {
        try write(pattern, count: fileSize, to: name, durably: true)
      }
    }
    try sync()
    let keepPercents = [5, 60, 20, 90, 35, 10, 75]
    for index in 0..<fileCount {
      let keep = keepPercents[(index * keepPercents.count / max(fileCount, 1)) % keepPercents.count]
      if Int(random.next() % 100) >= keep {
        try FileManager.default.removeItem(atPath: mountpoint + "/f\(index)")
      }
    }
    try sync()
  }

  /// Writes `count` bytes of `pattern`, repeated, to a new file at `path`; `durably`, fsyncs it.
  private func write(_ pattern: [UInt8], count: Int, to path: String, durably: Bool) throws {
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    var written = 0
    while written < count {
      let length = min(pattern.count, count - written)
      try handle.write(contentsOf: pattern[0..<length])
      written += length
    }
    if durably { try handle.synchronize() }
  }

  /// Commits the filesystem so block-group usage on disk reflects every write and delete.
  public func sync() throws {
    try Command.run(["btrfs", "filesystem", "sync", mountpoint])
  }
}
