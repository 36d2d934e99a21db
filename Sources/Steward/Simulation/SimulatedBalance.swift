import Btrfs

/// The balance a ``SimulatedFilesystem`` runs or holds paused, with the flags the kernel keeps.
struct SimulatedBalance {
  var arguments: BalanceArguments
  var statistics = BalanceStatistics()
  var isRunning = true
  var isPauseRequested = false
  var isCancelRequested = false

  var progress: BalanceProgress {
    BalanceProgress(
      isRunning: isRunning, isPauseRequested: isPauseRequested,
      isCancelRequested: isCancelRequested, arguments: arguments, statistics: statistics)
  }
}
