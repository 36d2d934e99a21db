import Foundation
import Glibc

/// Whether another tool already trims this machine's filesystems: `fstrim.timer` enabled, or
/// btrfsmaintenance's trim configured. Both are read from files under `root` (`/` but for tests),
/// never following a symbolic link except the timer's own enablement link, which is only
/// looked at, not read.
public struct TrimElsewhere: Sendable {
  /// The directory the system's files are read under.
  public var root: String

  public init(root: String = "/") {
    self.root = root.hasSuffix("/") ? root : root + "/"
  }

  /// Why trim is left to another tool, or `nil` when none trims `mountpoint`.
  public func reason(mountpoint: String) -> String? {
    let wants = [
      "etc/systemd/system/timers.target.wants/fstrim.timer",
      "usr/lib/systemd/system/timers.target.wants/fstrim.timer",
      "lib/systemd/system/timers.target.wants/fstrim.timer",
    ]
    if let enabled = wants.first(where: { exists(root + $0) }) {
      return "fstrim.timer is enabled (\(root + enabled)); it trims every mounted filesystem"
    }
    for file in ["etc/default/btrfsmaintenance", "etc/sysconfig/btrfsmaintenance"] {
      guard let settings = Self.shellSettings(root + file) else { continue }
      let period = settings["BTRFS_TRIM_PERIOD"] ?? "none"
      guard period != "none", !period.isEmpty else { continue }
      let mountpoints = (settings["BTRFS_TRIM_MOUNTPOINTS"] ?? "/").split(separator: ":")
      if mountpoints.contains("auto") || mountpoints.contains(Substring(mountpoint)) {
        return
          "btrfsmaintenance trims \(mountpoint) (\(root + file): BTRFS_TRIM_PERIOD=\"\(period)\")"
      }
    }
    return nil
  }

  private func exists(_ path: String) -> Bool {
    var status = stat()
    return lstat(path, &status) == 0
  }

  /// The `KEY="value"` assignments of a shell settings file (at most 1 MiB, a regular file, opened
  /// without following a symbolic link); `nil` when it cannot be read.
  static func shellSettings(_ path: String) -> [String: String]? {
    let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG,
      status.st_size <= 1 << 20
    else { return nil }
    var bytes = [UInt8](repeating: 0, count: Int(status.st_size))
    let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
    guard count >= 0 else { return nil }
    var settings: [String: String] = [:]
    for line in String(decoding: bytes.prefix(count), as: UTF8.self).split(separator: "\n") {
      let text = line.trimmingCharacters(in: .whitespaces)
      guard !text.hasPrefix("#"), let equals = text.firstIndex(of: "=") else { continue }
      let key = String(text[..<equals])
      var value = String(text[text.index(after: equals)...])
      if value.count >= 2, let first = value.first, first == "\"" || first == "'",
        value.last == first
      {
        value = String(value.dropFirst().dropLast())
      }
      settings[key] = value
    }
    return settings
  }
}
