/// The exit statuses btrfs-steward documents. Scripts and systemd units may rely on them.
public enum ExitStatus: Int32, Sendable, CaseIterable {
  /// Success: the command did what was asked (a run finished its plan, or had nothing to do).
  case success = 0
  /// An unexpected failure not covered below.
  case failure = 1
  /// The command line was wrong (argument-parser's own code).
  case usage = 64
  /// A policy or layout file is invalid; nothing was touched.
  case invalidInput = 65
  /// The path is not on a btrfs filesystem.
  case notBtrfs = 66
  /// Root (CAP_SYS_ADMIN) is needed.
  case notPermitted = 67
  /// Another exclusive operation (device add/remove/replace, resize, the kernel's reclaim…) runs.
  case exclusiveOperation = 68
  /// A balance not started by btrfs-steward is running or paused; it is left alone without --force.
  case foreignBalance = 69
  /// Another btrfs-steward run, or btrfsmaintenance, holds the filesystem's lock.
  case locked = 70
  /// The policy requires AC power and the machine runs on battery.
  case onBattery = 71
  /// Unallocated space is below the policy's floor; balancing could run the filesystem out of space.
  case belowUnallocatedFloor = 72
  /// The kernel reported ENOSPC and the policy said to stop.
  case noSpace = 73
  /// The run paused (signal, closed window, max-runtime); the next run resumes it.
  case paused = 75
  /// The run was cancelled.
  case cancelled = 76
  /// Outside every window of the policy: nothing was done.
  case outsideWindow = 77
  /// The policy bounds the machine's pressure and it cannot be read (no PSI, or a pressure file
  /// that is not what it must be): nothing was done.
  case pressureUnreadable = 78
  /// `status`: a balance is running.
  case statusRunning = 80
  /// `status`: a balance is paused.
  case statusPaused = 81
}
