import Btrfs
import Foundation

/// The layout of the filesystem at `mountpoint` once the kernel's cleaner has deleted the block
/// groups left empty (a conversion's forced chunks are deleted seconds after the run): commits and
/// reads it every second until two reads agree on every block group, for at most `timeout` seconds.
func settledLayout(_ mountpoint: String, timeout: Double = 60) throws -> Layout {
  var previous: Layout?
  return try poll("a settled layout of \(mountpoint)", timeout: timeout, interval: 1) {
    _ = try shell("btrfs", "filesystem", "sync", mountpoint)
    let current = try FileSystem(path: mountpoint).layout()
    defer { previous = current }
    return previous?.blockGroups == current.blockGroups ? current : nil
  }
}
