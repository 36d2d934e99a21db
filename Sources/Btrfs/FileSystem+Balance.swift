import CBtrfs
import SystemPackage

extension FileSystem {
  /// Starts a balance with `arguments` and blocks until it ends (BALANCE_V2).
  ///
  /// - Returns: whether it completed, paused or was cancelled, with the kernel's counters.
  /// - Throws: ``BtrfsError/balanceInProgress(path:)`` when a balance runs or is paused,
  ///   ``BtrfsError/exclusiveOperationInProgress(path:)`` when another exclusive operation holds the
  ///   filesystem, ``BtrfsError/noSpace(path:)`` on ENOSPC, ``BtrfsError/notPermitted(operation:path:)``
  ///   without CAP_SYS_ADMIN.
  public func startBalance(_ arguments: BalanceArguments) throws(BtrfsError) -> BalanceOutcome {
    var kernelArguments = arguments.kernelArguments()
    return try balance("BALANCE_V2", &kernelArguments)
  }

  /// Resumes the paused balance and blocks until it ends (BALANCE_V2 with RESUME).
  ///
  /// - Throws: ``BtrfsError/noBalance(path:)`` when there is nothing to resume, and the errors of
  ///   ``startBalance(_:)``.
  public func resumeBalance() throws(BtrfsError) -> BalanceOutcome {
    var kernelArguments = BalanceArguments().kernelArguments(
      extraFlags: UInt64(BTRFS_BALANCE_RESUME))
    return try balance("BALANCE_V2 (resume)", &kernelArguments)
  }

  /// Asks the running balance to pause and waits until the kernel has paused it (the block group in
  /// flight is finished first).
  ///
  /// - Throws: ``BtrfsError/noBalance(path:)`` when no balance is running.
  public func pauseBalance() throws(BtrfsError) {
    try balanceControl("BALANCE_CTL (pause)", BTRFS_BALANCE_CTL_PAUSE)
  }

  /// Cancels the running or paused balance and waits until the kernel has stopped it.
  ///
  /// - Throws: ``BtrfsError/noBalance(path:)`` when there is no balance.
  public func cancelBalance() throws(BtrfsError) {
    try balanceControl("BALANCE_CTL (cancel)", BTRFS_BALANCE_CTL_CANCEL)
  }

  /// The current balance's state and counters (BALANCE_PROGRESS), or `nil` when there is no balance,
  /// running or paused.
  public func balanceProgress() throws(BtrfsError) -> BalanceProgress? {
    var arguments = btrfs_ioctl_balance_args()
    do {
      try ioctl("BALANCE_PROGRESS", CBTRFS_IOC_BALANCE_PROGRESS, &arguments)
    } catch .systemCall(_, _, let errno) where errno == .socketNotConnected {
      return nil
    }
    return BalanceProgress(
      isRunning: arguments.state & UInt64(BTRFS_BALANCE_STATE_RUNNING) != 0,
      isPauseRequested: arguments.state & UInt64(BTRFS_BALANCE_STATE_PAUSE_REQ) != 0,
      isCancelRequested: arguments.state & UInt64(BTRFS_BALANCE_STATE_CANCEL_REQ) != 0,
      arguments: BalanceArguments(kernel: arguments),
      statistics: BalanceStatistics(arguments.stat)
    )
  }

  private func balance(
    _ operation: String, _ arguments: inout btrfs_ioctl_balance_args
  ) throws(BtrfsError) -> BalanceOutcome {
    let result: Int32
    do {
      result = try ioctl(operation, CBTRFS_IOC_BALANCE_V2, &arguments)
    } catch .systemCall(_, _, let errno) where errno == .canceled {
      // The kernel copies the arguments back on ECANCELED: the state says which request stopped it.
      // When a cancel came while a pause was pending both are set, and the kernel has deleted the
      // balance (balance_need_close()): it was cancelled.
      let statistics = BalanceStatistics(arguments.stat)
      return arguments.state & UInt64(BTRFS_BALANCE_STATE_CANCEL_REQ) == 0
        && arguments.state & UInt64(BTRFS_BALANCE_STATE_PAUSE_REQ) != 0
        ? .paused(statistics) : .cancelled(statistics)
    } catch .systemCall(_, _, let errno) where errno == .nowInProgress {
      throw .balanceInProgress(path: path)
    } catch .systemCall(_, _, let errno) where errno == .socketNotConnected {
      throw .noBalance(path: path)
    } catch .systemCall(_, _, let errno) where errno == .noSpace {
      throw .noSpace(path: path)
    }
    // A positive result is a btrfs error code, not an errno: the only one balance returns is
    // BTRFS_ERROR_DEV_EXCL_RUN_IN_PROGRESS.
    if result > 0 { throw .exclusiveOperationInProgress(path: path) }
    return .completed(BalanceStatistics(arguments.stat))
  }

  private func balanceControl(_ operation: String, _ command: Int32) throws(BtrfsError) {
    let descriptor = descriptor.rawValue
    do {
      try systemCall(operation, path: path) {
        cbtrfs_ioctl_value(descriptor, CBTRFS_IOC_BALANCE_CTL, Int(command))
      }
    } catch .systemCall(_, _, let errno) where errno == .socketNotConnected {
      throw .noBalance(path: path)
    }
  }
}

extension BalanceStatistics {
  init(_ progress: btrfs_balance_progress) {
    self.init(
      expected: progress.expected, considered: progress.considered, completed: progress.completed)
  }
}
