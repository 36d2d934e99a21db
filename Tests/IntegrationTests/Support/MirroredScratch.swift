import Btrfs
import Foundation
import Steward

/// A btrfs filesystem over two loop devices of its own, data and metadata in raid1, made for one
/// test in a temporary directory. ``withMirroredScratch(size:_:)`` always unmounts, detaches and
/// deletes it.
struct MirroredScratch {
  /// The temporary directory holding the images and the mountpoint.
  let directory: URL
  /// The images backing devid 1 and devid 2, in that order.
  let images: [String]
  /// The loop devices, in the same order.
  let loopDevices: [String]
  /// Where the filesystem is mounted.
  let mountpoint: String

  /// The image of the device with id `devid` (mkfs gives the first device id 1, and so on).
  func image(devid: UInt64) -> String { images[Int(devid) - 1] }

  /// Writes `count` bytes of a pattern that differs from block to block to a new file at `name`,
  /// then commits the filesystem.
  func writeFile(_ name: String, count: Int, seed: UInt8 = 7) throws {
    var block = [UInt8](repeating: 0, count: 1 << 20)
    let path = mountpoint + "/" + name
    guard FileManager.default.createFile(atPath: path, contents: nil),
      let handle = FileHandle(forWritingAtPath: path)
    else { throw MirroredScratchError(message: "cannot create \(path)") }
    defer { try? handle.close() }
    for index in 0..<(count >> 20) {
      for offset in 0..<block.count {
        block[offset] = UInt8(truncatingIfNeeded: offset &* 131 &+ index &* 7 &+ Int(seed))
      }
      try handle.write(contentsOf: block)
    }
    try Command.run(["btrfs", "filesystem", "sync", mountpoint])
  }

  /// The physical offset on device `devid` of the first byte of file `name` (FIEMAP through
  /// `filefrag`, then the chunk tree's mapping of that logical address onto the device).
  func physicalOffset(ofFile name: String, devid: UInt64) throws -> UInt64 {
    let output = try Command.run(["filefrag", "-e", "-b4096", mountpoint + "/" + name])
    // "   0:        0..     255:     269568..    269823:    256:             last,eof"
    guard
      let line = output.split(separator: "\n").first(where: {
        $0.trimmingCharacters(in: .whitespaces).hasPrefix("0:")
      })
    else { throw MirroredScratchError(message: "no extent in filefrag output: \(output)") }
    let fields = line.split(separator: ":")
    let physicalField = fields[2].split(separator: ".").first!
    let logical = UInt64(physicalField.trimmingCharacters(in: .whitespaces))! * 4096
    let chunks = try FileSystem(path: mountpoint).chunks()
    guard
      let chunk = chunks.first(where: { $0.vaddr <= logical && logical < $0.vaddr + $0.length }),
      let stripe = chunk.stripes.first(where: { $0.devid == devid })
    else { throw MirroredScratchError(message: "no stripe of \(logical) on device \(devid)") }
    return stripe.offset + (logical - chunk.vaddr)
  }

  /// Overwrites `count` bytes at `physical` of device `devid`'s image with other bytes, with `dd`.
  func corrupt(devid: UInt64, physical: UInt64, count: Int) throws {
    precondition(physical % 4096 == 0 && count % 4096 == 0)
    try Command.run([
      "dd", "if=/dev/urandom", "of=\(image(devid: devid))", "bs=4096",
      "seek=\(physical / 4096)", "count=\(count / 4096)", "conv=notrunc,fsync", "status=none",
    ])
  }
}

struct MirroredScratchError: Error, CustomStringConvertible {
  var message: String
  var description: String { message }
}

/// Makes a two-device raid1 scratch filesystem of images of `size` each, runs `body` with it, and
/// always destroys it afterwards.
func withMirroredScratch<Result>(
  size: String = "1G", _ body: (MirroredScratch) throws -> Result
) throws -> Result {
  try IntegrationEnvironment.requirePrerequisites()
  let directory = URL(fileURLWithPath: NSTemporaryDirectory())
    .appendingPathComponent("btrfs-steward-raid1-\(UUID().uuidString.prefix(8))")
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  let images = ["dev1.img", "dev2.img"].map { directory.appendingPathComponent($0).path }
  let mountpoint = directory.appendingPathComponent("mnt").path
  var loopDevices: [String] = []
  var mounted = false
  defer {
    if mounted {
      let fsid = try? FileSystem(path: mountpoint).info().fsid
      _ = try? Command.run(["btrfs", "scrub", "cancel", mountpoint])
      _ = try? Command.run(["btrfs", "balance", "cancel", mountpoint])
      if (try? Command.run(["umount", mountpoint])) == nil {
        _ = try? Command.run(["umount", "-l", mountpoint])
      }
      if let fsid { unlink(FilesystemLock.btrfsMaintenanceLockPath(fsid: fsid)) }
    }
    for device in loopDevices { _ = try? Command.run(["losetup", "-d", device]) }
    try? FileManager.default.removeItem(at: directory)
  }
  for image in images {
    try Command.run(["truncate", "-s", size, image])
    loopDevices.append(
      try Command.run(["losetup", "--find", "--show", image])
        .trimmingCharacters(in: .whitespacesAndNewlines))
  }
  try Command.run(["mkfs.btrfs", "-q", "-f", "-d", "raid1", "-m", "raid1"] + loopDevices)
  try FileManager.default.createDirectory(atPath: mountpoint, withIntermediateDirectories: true)
  try Command.run(["mount", "-t", "btrfs", loopDevices[0], mountpoint])
  mounted = true
  return try body(
    MirroredScratch(
      directory: directory, images: images, loopDevices: loopDevices, mountpoint: mountpoint))
}
