import Btrfs
import Foundation
import Steward

/// The fragmented filesystem the compaction benchmark gives every contender: built once, then
/// copied, one copy per contender.
struct CompactionImage {
  /// The image's size (a `truncate` size such as `10G`).
  var size: String
  /// The size of new data chunks, set in sysfs on every mount (it does not persist).
  var dataChunkSize: UInt64
  /// How many files are written before a seeded share of them is deleted.
  var fileCount: Int
  /// The size of each file.
  var fileSize: Int
  /// The seed of ``ScratchImage/fragment(fileCount:fileSize:seed:pieceSize:)``.
  var seed: UInt64
  /// When set, each "file" is a directory of small files of this size (many small extents).
  var pieceSize: Int? = nil

  /// Builds the filesystem, lets it settle, unmounts it and moves its image file to `master`;
  /// returns the fsid. `populate` then runs on the mountpoint, after the fragmenting. Everything
  /// else is removed before this returns, also on failure.
  func build(master: URL, populate: (String) throws -> Void = { _ in }) throws -> String {
    let image = try ScratchImage(size: size, prefix: "steward-bench-compaction")
    defer { image.remove() }
    let fsid = try FileSystem(path: image.mountpoint).info().fsid
    try setDataChunkSize(fsid: fsid)
    try image.fragment(
      fileCount: fileCount, fileSize: fileSize, seed: seed, pieceSize: pieceSize)
    try populate(image.mountpoint)
    _ = try settledLayout(image.mountpoint)
    try Command.run(["umount", image.mountpoint])
    // Unmounted, the image file is complete; the loop device stays attached (to the moved file)
    // until `remove()` detaches it.
    try FileManager.default.moveItem(
      at: image.directory.appendingPathComponent("fs.img"), to: master)
    return fsid
  }

  /// Copies `master` (`cp --sparse=always`, then `sync` to the disk) into a new directory `name`
  /// under `parent`, attaches the copy to its own loop device, mounts it and runs `body` on it;
  /// then unmounts, detaches and deletes the copy, also when `body` throws. Copies of one master
  /// share an fsid, so btrfs mounts only one at a time: call this for one contender after the
  /// other. With `directIO`, the loop device reads and writes its file with O_DIRECT (`losetup
  /// --direct-io=on`), so the filesystem's I/O reaches the disk instead of the host's page cache;
  /// it is an error when the kernel falls back to buffered I/O (the file's filesystem lacks
  /// O_DIRECT).
  func withCopy<Result>(
    of master: URL, name: String, in parent: URL, directIO: Bool = false,
    _ body: (MountedCopy) throws -> Result
  ) throws -> Result {
    let directory = parent.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(at: directory) }
    let image = directory.appendingPathComponent("fs.img").path
    try Command.run(["cp", "--sparse=always", master.path, image])
    // The copy's pages would otherwise be written back whenever the kernel's flusher gets to
    // them (30 s later by default), in the middle of whichever contender runs then.
    try Command.run(["sync", image])
    let device = try Command.run(
      ["losetup", "--find", "--show"] + (directIO ? ["--direct-io=on"] : []) + [image]
    )
    .trimmingCharacters(in: .whitespacesAndNewlines)
    defer { _ = try? Command.run(["losetup", "-d", device]) }
    if directIO {
      let flag = "/sys/block/\(URL(fileURLWithPath: device).lastPathComponent)/loop/dio"
      let dio = try String(contentsOfFile: flag, encoding: .utf8)
        .trimmingCharacters(in: .whitespacesAndNewlines)
      guard dio == "1" else {
        throw BenchmarkFailure(
          "\(device) does not use direct I/O (\(flag) is \(dio)): put the work directory on a "
            + "filesystem with O_DIRECT (--work-directory)")
      }
    }
    let mountpoint = directory.appendingPathComponent("mnt").path
    try FileManager.default.createDirectory(atPath: mountpoint, withIntermediateDirectories: false)
    try Command.run(["mount", "-t", "btrfs", device, mountpoint])
    defer {
      _ = try? Command.run(["btrfs", "balance", "cancel", mountpoint])
      if (try? Command.run(["umount", mountpoint])) == nil {
        _ = try? Command.run(["umount", "-l", mountpoint])
      }
    }
    let fsid = try FileSystem(path: mountpoint).info().fsid
    try setDataChunkSize(fsid: fsid)
    return try body(
      MountedCopy(directory: directory, mountpoint: mountpoint, fsid: fsid, loopDevice: device))
  }

  private func setDataChunkSize(fsid: String) throws {
    try Data("\(dataChunkSize)".utf8).write(
      to: URL(fileURLWithPath: "/sys/fs/btrfs/\(fsid)/allocation/data/chunk_size"))
  }
}

/// One contender's mounted copy of the benchmark image.
struct MountedCopy {
  /// A directory of the contender's own (policy, state, logs), deleted with the copy.
  var directory: URL
  /// Where the copy is mounted.
  var mountpoint: String
  /// The filesystem's UUID (the same for every copy).
  var fsid: String
  /// The loop device the copy is attached to.
  var loopDevice: String

  /// Bytes written to the loop device since it was attached (the block layer's count of sectors
  /// written, from `/sys/block/loopN/stat`): data, metadata and superblocks, each time written.
  func bytesWritten() throws -> UInt64 {
    let name = URL(fileURLWithPath: loopDevice).lastPathComponent
    let fields = try String(contentsOfFile: "/sys/block/\(name)/stat", encoding: .utf8)
      .split(separator: " ")
    guard fields.count > 6, let sectors = UInt64(fields[6]) else {
      throw BenchmarkFailure("cannot read the write count of \(loopDevice)")
    }
    return sectors * 512
  }
}

/// The layout of the filesystem at `mountpoint` once it has settled (``SettledLayout``), or the last
/// one read after `timeout` seconds.
func settledLayout(_ mountpoint: String, timeout: Double = 60) throws -> Layout {
  try SettledLayout(mountpoint, timeout: timeout).layout
}
