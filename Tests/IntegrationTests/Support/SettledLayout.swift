import Btrfs
import Steward

/// The layout of the filesystem at `mountpoint` once it has settled (``SettledLayout``): the
/// kernel's cleaner has deleted the block groups left empty. Throws ``TimedOut`` when it has not
/// after `timeout` seconds.
func settledLayout(_ mountpoint: String, timeout: Double = 60) throws -> Layout {
  let read = try SettledLayout(mountpoint, timeout: timeout)
  guard read.settled else { throw TimedOut(what: "a settled layout of \(mountpoint)") }
  return read.layout
}
