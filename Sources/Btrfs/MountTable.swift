import Foundation

/// The btrfs mounts of this machine, from `/proc/self/mountinfo`.
public enum MountTable {
  /// The mountpoints of mounted btrfs filesystems, one per filesystem (the first mount of each
  /// fsid, so a filesystem mounted several times, or with several subvolumes, is visited once).
  public static func btrfsMountpoints(
    mountinfo: String = "/proc/self/mountinfo"
  ) -> [String] {
    guard let text = try? String(contentsOfFile: mountinfo, encoding: .utf8) else { return [] }
    var seen: Set<String> = []
    var mountpoints: [String] = []
    for line in text.split(separator: "\n") {
      let halves = line.split(separator: " - ", maxSplits: 1)
      guard halves.count == 2, halves[1].split(separator: " ").first == "btrfs" else { continue }
      let fields = halves[0].split(separator: " ")
      guard fields.count >= 5 else { continue }
      let mountpoint = unescape(fields[4])
      guard let fsid = try? FileSystem(path: mountpoint).info().fsid, seen.insert(fsid).inserted
      else { continue }
      mountpoints.append(mountpoint)
    }
    return mountpoints
  }

  /// Undoes mountinfo's octal escapes (`\040` for a space, …).
  private static func unescape(_ field: Substring) -> String {
    var bytes: [UInt8] = []
    var index = field.utf8.startIndex
    let utf8 = field.utf8
    while index < utf8.endIndex {
      let byte = utf8[index]
      if byte == UInt8(ascii: "\\"),
        let end = utf8.index(index, offsetBy: 4, limitedBy: utf8.endIndex),
        let value = UInt8(String(field[utf8.index(after: index)..<end]), radix: 8)
      {
        bytes.append(value)
        index = end
      } else {
        bytes.append(byte)
        index = utf8.index(after: index)
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
