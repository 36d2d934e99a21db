import CBtrfs

/// The counters the kernel keeps for the current balance. They are reset at every start and resume.
public struct BalanceStatistics: Hashable, Sendable, Codable {
  /// Block groups the kernel estimates it will relocate.
  public var expected: UInt64
  /// Block groups it has looked at so far.
  public var considered: UInt64
  /// Block groups it has relocated so far.
  public var completed: UInt64

  public init(expected: UInt64 = 0, considered: UInt64 = 0, completed: UInt64 = 0) {
    self.expected = expected
    self.considered = considered
    self.completed = completed
  }
}

/// The state of a balance, as BALANCE_PROGRESS reports it.
public struct BalanceProgress: Hashable, Sendable, Codable {
  /// Whether a balance is running (clear when it is paused).
  public var isRunning: Bool
  /// Whether a pause has been asked for and not yet honoured.
  public var isPauseRequested: Bool
  /// Whether a cancel has been asked for and not yet honoured.
  public var isCancelRequested: Bool
  /// The arguments the balance runs with.
  public var arguments: BalanceArguments
  /// Its counters.
  public var statistics: BalanceStatistics

  public init(
    isRunning: Bool, isPauseRequested: Bool = false, isCancelRequested: Bool = false,
    arguments: BalanceArguments, statistics: BalanceStatistics
  ) {
    self.isRunning = isRunning
    self.isPauseRequested = isPauseRequested
    self.isCancelRequested = isCancelRequested
    self.arguments = arguments
    self.statistics = statistics
  }

  /// Whether the balance is paused: it exists but does not run.
  public var isPaused: Bool { !isRunning }
}

/// How a balance start (or resume) that the kernel accepted ended.
public enum BalanceOutcome: Hashable, Sendable, Codable {
  /// It relocated everything its filters selected.
  case completed(BalanceStatistics)
  /// It stopped at a pause request; it stays on disk and can be resumed.
  case paused(BalanceStatistics)
  /// It stopped at a cancel request.
  case cancelled(BalanceStatistics)

  /// The counters at the end.
  public var statistics: BalanceStatistics {
    switch self {
    case .completed(let statistics), .paused(let statistics), .cancelled(let statistics): statistics
    }
  }
}
