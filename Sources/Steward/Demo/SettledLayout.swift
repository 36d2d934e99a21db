import Btrfs
import Foundation

/// The layout of a scratch filesystem once the kernel has stopped changing it, for the benchmarks
/// and tests that compare a run's prediction with what the run left: the kernel deletes emptied
/// block groups in the background after a commit (a conversion's forced chunks seconds after the
/// run), so a layout read at once may still hold them.
public struct SettledLayout {
  /// The last layout read.
  public var layout: Layout
  /// Whether two reads a second apart agreed on it; `false` when the time ran out first.
  public var settled: Bool

  /// Commits the filesystem at `mountpoint` and reads its layout every second until two reads
  /// agree on every block group and on unallocated space, for at most `timeout` seconds.
  public init(_ mountpoint: String, timeout: Double = 60) throws {
    let deadline = Date().addingTimeInterval(timeout)
    var previous = try Self.synced(mountpoint)
    while Date() < deadline {
      Thread.sleep(forTimeInterval: 1)
      let current = try Self.synced(mountpoint)
      if current.blockGroups == previous.blockGroups
        && current.unallocatedBytes == previous.unallocatedBytes
      {
        (layout, settled) = (current, true)
        return
      }
      previous = current
    }
    (layout, settled) = (previous, false)
  }

  private static func synced(_ mountpoint: String) throws -> Layout {
    try Command.run(["btrfs", "filesystem", "sync", mountpoint])
    return try FileSystem(path: mountpoint).layout()
  }
}
