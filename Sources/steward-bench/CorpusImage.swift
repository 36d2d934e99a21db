import Btrfs
import Foundation
import Steward

/// One kind of filesystem of the corpus: its devices, how it is made and what is written to it. A
/// populate script (bash, with the mountpoint in `$M`) writes files and deletes some, so that data
/// block groups end up at varied usage the way each kind does in real life.
struct CorpusKind {
  /// The kind's name in the table.
  var name: String
  /// One `truncate` size per device.
  var deviceSizes: [String]
  /// Arguments of `mkfs.btrfs` before the devices.
  var mkfsArguments: [String]
  /// Mount options while the script writes (`compress=zstd`), none for the runs.
  var populateOptions: String? = nil
  /// The size of new data chunks, set in sysfs on every mount; `nil`: the kernel's (for mixed block
  /// groups, and where the kernel's own choice is the case: 10 % of the devices, which grows when a
  /// device is added).
  var dataChunkSize: UInt64? = 256 << 20
  /// The bash script that writes the files, with the mountpoint in `$M`.
  var script: String
  /// For a multi-device kind: the devices added after the script, and what runs on them then.
  var deviceChange: DeviceChange? = nil

  /// The sizes of the devices made by mkfs, then of those added afterwards.
  var allDeviceSizes: [String] { deviceSizes + (deviceChange?.addedDeviceSizes ?? []) }

  /// Whether data and metadata share block groups (`mkfs.btrfs --mixed`).
  var hasMixedBlockGroups: Bool { mkfsArguments.contains("--mixed") }
}

/// A corpus image: the device files of a populated, unmounted filesystem, copied once per
/// contender (``withCopy(name:in:_:)``).
struct CorpusImage {
  let kind: CorpusKind
  /// The directory of the master device files.
  let master: URL

  /// Builds `kind` under `parent`: device files, mkfs, mount, populate, settle, unmount.
  static func build(_ kind: CorpusKind, in parent: URL) throws -> CorpusImage {
    let master = parent.appendingPathComponent("\(kind.name)-master")
    try FileManager.default.createDirectory(at: master, withIntermediateDirectories: false)
    let image = CorpusImage(kind: kind, master: master)
    let files = image.deviceFiles(in: master)
    for (file, size) in zip(files, kind.allDeviceSizes) {
      try Command.run(["truncate", "-s", size, file])
    }
    let made = Array(files.prefix(kind.deviceSizes.count))
    try Command.run(["mkfs.btrfs", "-q", "-f"] + kind.mkfsArguments + made)
    // Devices added after the script, detached and forgotten once the filesystem is unmounted.
    var added: [String] = []
    defer {
      for device in added {
        _ = try? Command.run(["btrfs", "device", "scan", "--forget", device])
        _ = try? Command.run(["losetup", "-d", device])
      }
    }
    try image.mounted(
      Array(files.prefix(kind.deviceSizes.count)), in: master, options: kind.populateOptions
    ) { mountpoint, _ in
      let log = master.appendingPathComponent("populate.log")
      let run = try ChildRun.run(
        ["/bin/bash", "-e", "-c", "M='\(mountpoint)'\n" + CorpusKinds.prelude + kind.script],
        log: log)
      guard run.status == 0 else {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw BenchmarkFailure(
          "populating \(kind.name) failed:\n"
            + text.split(separator: "\n").suffix(10).joined(separator: "\n"))
      }
      _ = try settledLayout(mountpoint)
      if let change = kind.deviceChange {
        try change.addDevices(
          files: Array(files.dropFirst(kind.deviceSizes.count)), to: mountpoint, attached: &added)
      }
    }
    return image
  }

  /// Copies the master's device files into `name` under `parent`, mounts the copy and runs `body`
  /// on it; unmounts, detaches, forgets and deletes the copy afterwards, also when `body` throws.
  /// Copies share the fsid: call this for one contender after the other.
  func withCopy<Result>(
    name: String, in parent: URL, _ body: (MountedCopy) throws -> Result
  ) throws -> Result {
    let directory = parent.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(at: directory) }
    let sources = deviceFiles(in: master)
    let files = deviceFiles(in: directory)
    for (source, file) in zip(sources, files) {
      try Command.run(["cp", "--sparse=always", source, file])
    }
    return try mounted(files, in: directory, options: nil) { mountpoint, devices in
      let fsid = try FileSystem(path: mountpoint).info().fsid
      return try body(
        MountedCopy(
          directory: directory, mountpoint: mountpoint, fsid: fsid, loopDevice: devices[0]))
    }
  }

  private func deviceFiles(in directory: URL) -> [String] {
    kind.allDeviceSizes.indices.map { directory.appendingPathComponent("dev\($0).img").path }
  }

  /// Attaches `files`, mounts them at `directory/mnt` and runs `body` with the mountpoint and the
  /// loop devices; then unmounts, detaches and makes the kernel forget the devices.
  private func mounted<Result>(
    _ files: [String], in directory: URL, options: String?,
    _ body: (String, [String]) throws -> Result
  ) throws -> Result {
    var devices: [String] = []
    defer {
      for device in devices {
        _ = try? Command.run(["losetup", "-d", device])
      }
    }
    for file in files {
      devices.append(
        try Command.run(["losetup", "--find", "--show", file])
          .trimmingCharacters(in: .whitespacesAndNewlines))
    }
    let mountpoint = directory.appendingPathComponent("mnt").path
    try FileManager.default.createDirectory(atPath: mountpoint, withIntermediateDirectories: true)
    let deviceOptions = devices.map { "device=\($0)" }
    let allOptions = (deviceOptions + (options.map { [$0] } ?? [])).joined(separator: ",")
    try Command.run(["mount", "-t", "btrfs", "-o", allOptions, devices[0], mountpoint])
    defer {
      _ = try? Command.run(["btrfs", "balance", "cancel", mountpoint])
      if (try? Command.run(["umount", mountpoint])) == nil {
        _ = try? Command.run(["umount", "-l", mountpoint])
      }
      for device in devices {
        _ = try? Command.run(["btrfs", "device", "scan", "--forget", device])
      }
    }
    if let chunkSize = kind.dataChunkSize {
      let fsid = try FileSystem(path: mountpoint).info().fsid
      try Data("\(chunkSize)".utf8).write(
        to: URL(fileURLWithPath: "/sys/fs/btrfs/\(fsid)/allocation/data/chunk_size"))
    }
    return try body(mountpoint, devices)
  }
}
