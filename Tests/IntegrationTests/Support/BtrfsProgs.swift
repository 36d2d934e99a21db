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
