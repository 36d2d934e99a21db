import Btrfs
import Foundation

/// What btrfs-progs says about a filesystem: the truth the kernel face is checked against.
enum BtrfsProgs {
  /// Every block-group item `btrfs inspect-internal dump-tree` prints for the tree that holds them.
  static func dumpedBlockGroups(device: String, blockGroupTree: Bool) throws -> [BlockGroup] {
    let output = try shell(
      "btrfs", "inspect-internal", "dump-tree", "-t", blockGroupTree ? "block-group" : "extent",
      device)
    var blockGroups: [BlockGroup] = []
    var pendingKey: (vaddr: UInt64, length: UInt64)?
    for line in output.split(separator: "\n") {
      let words = line.split(whereSeparator: \.isWhitespace)
      if words.first == "item", let keyIndex = words.firstIndex(of: "key"),
        words[keyIndex + 2] == "BLOCK_GROUP_ITEM"
      {
        pendingKey = (
          UInt64(words[keyIndex + 1].dropFirst())!, UInt64(words[keyIndex + 3].dropLast())!
        )
      } else if let key = pendingKey, words.starts(with: ["block", "group", "used"]) {
        let flags = words[words.firstIndex(of: "flags")! + 1]
        blockGroups.append(
          BlockGroup(
            vaddr: key.vaddr, length: key.length, used: UInt64(words[3])!,
            flags: parseFlags(String(flags))))
        pendingKey = nil
      }
    }
    return blockGroups
  }

  /// The `btrfs filesystem df -b` lines as (label, total, used).
  static func spaceInfo(mountpoint: String) throws -> [(label: String, total: UInt64, used: UInt64)]
  {
    try shell("btrfs", "filesystem", "df", "-b", mountpoint).split(separator: "\n").map { line in
      let parts = line.split(separator: ":")
      let numbers = parts[1].split(separator: ",").map {
        UInt64($0.split(separator: "=")[1])!
      }
      return (String(parts[0]), numbers[0], numbers[1])
    }
  }

  /// "Device unallocated" from `btrfs filesystem usage -b`.
  static func unallocated(mountpoint: String) throws -> UInt64 {
    let line = try shell("btrfs", "filesystem", "usage", "-b", mountpoint)
      .split(separator: "\n").first { $0.contains("Device unallocated:") }!
    return UInt64(line.split(separator: " ").last!)!
  }

  private static func parseFlags(_ text: String) -> BlockGroupFlags {
    text.split(separator: "|").reduce(into: BlockGroupFlags()) { flags, name in
      if let type = BlockGroupType.allCases.first(where: { $0.displayName.uppercased() == name }) {
        flags.formUnion(type.flags)
      } else if let profile = Profile(rawValue: name.lowercased()) {
        flags.formUnion(profile.flags)
      }
    }
  }
}

extension BtrfsProgs {
  /// One device as `btrfs filesystem usage -b` (and `btrfs device usage -b`, for the size) lists it.
  struct DeviceUsage: Equatable {
    var size: UInt64 = 0
    /// Raw bytes per "Data,RAID1"-style label.
    var allocations: [String: UInt64] = [:]
    var unallocated: UInt64 = 0
  }

  /// Every device by path, parsed from `btrfs filesystem usage -b`'s sections (a heading per
  /// type and profile, or "Unallocated:", then a line per device) and `btrfs device usage -b`.
  static func deviceUsage(mountpoint: String) throws -> [String: DeviceUsage] {
    var devices: [String: DeviceUsage] = [:]
    var section: String?
    for line in try shell("btrfs", "filesystem", "usage", "-b", mountpoint).split(separator: "\n") {
      if !line.hasPrefix(" ") && !line.hasPrefix("\t") {
        section = line.hasPrefix("Overall:") ? nil : String(line.split(separator: ":")[0])
        continue
      }
      let fields = line.split(whereSeparator: \.isWhitespace)
      guard let section, fields.count == 2, fields[0].hasPrefix("/dev/"),
        let bytes = UInt64(fields[1])
      else { continue }
      if section == "Unallocated" {
        devices[String(fields[0]), default: DeviceUsage()].unallocated = bytes
      } else {
        devices[String(fields[0]), default: DeviceUsage()].allocations[section] = bytes
      }
    }
    var device: String?
    for line in try shell("btrfs", "device", "usage", "-b", mountpoint).split(separator: "\n") {
      if line.hasPrefix("/dev/") {
        device = String(line.split(separator: ",")[0])
      } else if let device, line.contains("Device size:") {
        devices[device, default: DeviceUsage()].size = UInt64(line.split(separator: " ").last!)!
      }
    }
    return devices
  }

  /// python-btrfs's `fs_usage` per device id: (unallocatable soft, unallocatable hard).
  static func pythonBtrfsUnallocatable(mountpoint: String) throws -> [UInt64: (UInt64, UInt64)] {
    let script = """
      import btrfs, sys
      usage = btrfs.FileSystem(sys.argv[1]).usage()
      for devid, device in usage.dev_usage.items():
          print(devid, device.unallocatable_soft, device.unallocatable_hard)
      """
    let output = try shell("/usr/bin/python3", "-c", script, mountpoint)
    var result: [UInt64: (UInt64, UInt64)] = [:]
    for line in output.split(separator: "\n") {
      let numbers = line.split(separator: " ").map { UInt64($0)! }
      result[numbers[0]] = (numbers[1], numbers[2])
    }
    return result
  }
}
