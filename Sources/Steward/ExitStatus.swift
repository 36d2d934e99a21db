/// The exit statuses btrfs-steward documents. Scripts and systemd units may rely on them.
///
/// systemd names statuses 64–78 after sysexits(3) in `systemctl status` (`status=75/TEMPFAIL`), so
/// those are used only where the sysexits meaning is btrfs-steward's meaning; every other reason has
/// its own status in the project's range 80–99, which systemd leaves unnamed.
public enum ExitStatus: Int32, Sendable, CaseIterable {
  /// Success: the command did what was asked (a run finished its plan, or had nothing to do).
  case success = 0
  /// An unexpected failure not covered below.
  case failure = 1
  /// The command line was wrong (argument-parser's own code; sysexits EX_USAGE).
  case usage = 64
  /// A policy or layout file is invalid; nothing was touched (EX_DATAERR).
  case invalidInput = 65
  /// The path does not exist or is not on a btrfs filesystem (EX_NOINPUT).
  case notBtrfs = 66
  /// A program the command needs is missing (the demo's mkfs.btrfs…) (EX_UNAVAILABLE).
  case unavailable = 69
  /// The run paused (signal, closed window, max-runtime), or a signal stopped it while it waited
  /// to start; the next run resumes it (EX_TEMPFAIL).
  case paused = 75
  /// Root (CAP_SYS_ADMIN) is needed (EX_NOPERM).
  case notPermitted = 77
  /// Another btrfs-steward run, or btrfsmaintenance, holds the filesystem's lock.
  case locked = 80
  /// Another exclusive operation (device add/remove/replace, resize, the kernel's reclaim…) runs.
  case exclusiveOperation = 81
  /// A balance not started by btrfs-steward is running or paused; it is left alone without --force.
  case foreignBalance = 82
  /// The policy requires AC power and the machine runs on battery.
  case onBattery = 83
  /// Unallocated space is below the policy's floor; balancing could run the filesystem out of space.
  case belowUnallocatedFloor = 84
  /// The kernel reported ENOSPC and the policy said to stop.
  case noSpace = 85
  /// The run was cancelled.
  case cancelled = 86
  /// Outside every window of the policy: nothing was done.
  case outsideWindow = 87
  /// The policy bounds the machine's pressure, or protects a cgroup, and it cannot be read (no
  /// PSI, no such cgroup v2, or a file that is not what it must be): nothing was done.
  case pressureUnreadable = 88
  /// `status`: a balance is running.
  case statusRunning = 90
  /// `status`: a balance or a run is paused.
  case statusPaused = 91
  // The maintenance jobs' statuses.
  /// A scrub not started by btrfs-steward (or a device replace) runs on the filesystem.
  case foreignScrub = 92
  /// A scrub found errors it could not correct.
  case uncorrectableErrors = 93
  /// A device's error counters rose since they were last read (`check`, `scrub`, `run`).
  case deviceErrorsRose = 94
  /// Trim is left to `fstrim.timer` or btrfsmaintenance, or no device supports discard.
  case trimDeferred = 95
  /// A balance runs on the filesystem: scrub and trim wait.
  case otherJobRunning = 96
  /// The state directory or journal is not owned by root, is writable by group or others, or is a
  /// symbolic link: nothing in it is trusted, nothing was done.
  case untrustedState = 97

  /// What the status means, in the words of the README's, the man page's and `--help`'s table.
  public var meaning: String {
    switch self {
    case .success: "success (plan done or nothing to do; `status`: idle)"
    case .failure: "unexpected failure"
    case .usage: "wrong command line (EX_USAGE)"
    case .invalidInput: "invalid policy or layout file, nothing touched (EX_DATAERR)"
    case .notBtrfs: "no such path, or not on a btrfs filesystem (EX_NOINPUT)"
    case .unavailable: "a program the command needs is missing (EX_UNAVAILABLE)"
    case .paused:
      "paused (signal, window, max-runtime) or stopped while waiting to start; the next run "
        + "resumes (EX_TEMPFAIL)"
    case .notPermitted: "root (CAP_SYS_ADMIN) needed (EX_NOPERM)"
    case .locked: "locked by another btrfs-steward run or by btrfsmaintenance"
    case .exclusiveOperation:
      "another exclusive operation (device add/remove/replace, resize, reclaim)"
    case .foreignBalance: "a balance not started by btrfs-steward is running or paused"
    case .onBattery: "on battery and the policy requires AC power"
    case .belowUnallocatedFloor: "unallocated space below the policy's `min-unallocated`"
    case .noSpace: "the kernel reported ENOSPC and the rule said stop"
    case .cancelled: "cancelled"
    case .outsideWindow: "outside every time window: nothing done"
    case .pressureUnreadable:
      "the policy paces the job (`pacing`) and the kernel's PSI or the protected cgroup cannot be"
        + " read: nothing done"
    case .statusRunning: "`status`: a balance is running"
    case .statusPaused: "`status`: a balance or a run is paused"
    case .foreignScrub: "a scrub not started by btrfs-steward (or a device replace) runs"
    case .uncorrectableErrors: "a scrub left errors uncorrected"
    case .deviceErrorsRose: "a device's error counters rose since the last reading"
    case .trimDeferred: "trim left to fstrim.timer or btrfsmaintenance, or no discard support"
    case .otherJobRunning: "a balance runs on the filesystem: scrub and trim wait"
    case .untrustedState: "the state directory or journal is untrusted (owner, mode or symlink)"
    }
  }

  /// Whether a scheduled run that ends with this status did what its policy asked: the policy
  /// chose to pause, to wait for AC power or for its window. The unit's `SuccessExitStatus=`.
  public var isScheduledSuccess: Bool {
    switch self {
    case .success, .paused, .onBattery, .outsideWindow: true
    default: false
    }
  }
}
