import Foundation

/// A btrfs filesystem on several loop devices, made for one test: sparse images in a temporary
/// directory, each on a loop device of its own. ``withMultiDeviceFilesystem(sizes:mkfsArguments:_:)``
/// always unmounts it, detaches and forgets its devices (also those added later with
/// ``addDevice(size:)``) and deletes the images, whether the test passes, fails or throws.
final class MultiDeviceFilesystem {
  /// The temporary directory holding the images and the mountpoint.
  let directory: URL
  /// Where the filesystem is mounted.
  let mountpoint: String
  /// The loop devices, in the order they were made (mkfs's devids 1, 2, … first).
  private(set) var loopDevices: [String] = []

  init(sizes: [String], mkfsArguments: [String]) throws {
    directory = URL(fileURLWithPath: NSTemporaryDirectory())
      .appendingPathComponent("btrfs-steward-multi-\(UUID().uuidString.prefix(8))")
    mountpoint = directory.appendingPathComponent("mnt").path
    try FileManager.default.createDirectory(atPath: mountpoint, withIntermediateDirectories: true)
    do {
      for size in sizes { try attachImage(size: size) }
      try shell(["mkfs.btrfs", "-q", "-f"] + mkfsArguments + loopDevices)
      try shell("mount", "-t", "btrfs", loopDevices[0], mountpoint)
    } catch {
      remove()
      throw error
    }
  }

  /// Adds an empty device of `size` to the mounted filesystem; returns its loop device.
  @discardableResult
  func addDevice(size: String) throws -> String {
    try attachImage(size: size)
    try shell("btrfs", "device", "add", "-f", loopDevices.last!, mountpoint)
    return loopDevices.last!
  }

  /// Writes `megabytes` MiB of incompressible data to a new file `name`, and commits it.
  func write(_ name: String, megabytes: Int) throws {
    try shell(
      "dd", "if=/dev/urandom", "of=\(mountpoint)/\(name)", "bs=1M", "count=\(megabytes)",
      "status=none")
    try shell("btrfs", "filesystem", "sync", mountpoint)
  }

  private func attachImage(size: String) throws {
    let image = directory.appendingPathComponent("dev\(loopDevices.count).img").path
    try shell("truncate", "-s", size, image)
    let device = try shell("losetup", "--find", "--show", image)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    loopDevices.append(device)
  }

  /// Unmounts, detaches and forgets every device, deletes the images.
  func remove() {
    _ = try? execute(["btrfs", "balance", "cancel", mountpoint])
    if (try? execute(["umount", mountpoint]))?.status != 0 {
      _ = try? execute(["umount", "-l", mountpoint])
    }
    for device in loopDevices {
      _ = try? execute(["btrfs", "device", "scan", "--forget", device])
      _ = try? execute(["losetup", "-d", device])
    }
    try? FileManager.default.removeItem(at: directory)
  }
}

/// Makes a multi-device btrfs filesystem, runs `body` with it, and always destroys it afterwards.
func withMultiDeviceFilesystem<Result>(
  sizes: [String], mkfsArguments: [String], _ body: (MultiDeviceFilesystem) throws -> Result
) throws -> Result {
  try IntegrationEnvironment.requirePrerequisites()
  let fileSystem = try MultiDeviceFilesystem(sizes: sizes, mkfsArguments: mkfsArguments)
  defer { fileSystem.remove() }
  return try body(fileSystem)
}
