import Foundation

/// How gently a run treats the machine: bounds on the system's pressure (Linux PSI) under which
/// block groups start, a workload (a cgroup) whose I/O they make way for, what to do when pressure
/// stays high or the workload does I/O during one, and the share of wall time the run may spend
/// relocating. Every bound is optional; a policy without `pacing` is unpaced.
public struct Pacing: Hashable, Sendable {
  /// Before each block group (and each device extent a scrub reads), wait while the share of time
  /// some task stalled on I/O (`/proc/pressure/io`, and the service's cgroup `io.pressure`) is
  /// above this percentage.
  public var maxIOPressure: Double?
  /// The same bound on memory pressure (`/proc/pressure/memory`).
  public var maxMemoryPressure: Double?
  /// During an operation, pressure above ``inFlightIOPressure`` (or the memory bound) for longer than
  /// this makes the run yield; `nil` means it never yields in flight.
  public var gracePeriod: Duration?
  /// The I/O pressure that counts as high during an operation, when the run's own relocation adds to
  /// it; `nil` means ``maxIOPressure``.
  public var inFlightIOPressure: Double?
  /// How the run yields in flight.
  public var yield: YieldAction
  /// At most this share of wall time (in percent, above 0) is spent relocating; `nil` means no bound.
  public var maxBusyShare: Double?
  /// The cgroup v2 (a path from the hierarchy's root, like `/user.slice`) whose I/O the run makes
  /// way for: a block group starts only once the cgroup has done no I/O for
  /// ``protectedQuietPeriod``, and one in flight yields (``yield``) as soon as it does; `nil`
  /// means no workload is protected.
  public var protectedCgroup: String?
  /// How long the protected cgroup must have done no I/O before a block group starts.
  public var protectedQuietPeriod: Duration
  /// The default ``protectedQuietPeriod``.
  public static let defaultProtectedQuietPeriod = Duration.milliseconds(250)
  /// Whether a block group also waits, with a protected cgroup, while the cgroup's recent quiet
  /// periods say it will likely do I/O again before the block group would be relocated (its
  /// duration estimated from the run's earlier block groups; ``QuietHistory``).
  public var finishesBeforeProtectedIO: Bool

  public init(
    maxIOPressure: Double? = nil, maxMemoryPressure: Double? = nil, gracePeriod: Duration? = nil,
    inFlightIOPressure: Double? = nil, yield: YieldAction = .pause, maxBusyShare: Double? = nil,
    protectedCgroup: String? = nil, protectedQuietPeriod: Duration = defaultProtectedQuietPeriod,
    finishesBeforeProtectedIO: Bool = true
  ) {
    self.maxIOPressure = maxIOPressure
    self.maxMemoryPressure = maxMemoryPressure
    self.gracePeriod = gracePeriod
    self.inFlightIOPressure = inFlightIOPressure
    self.yield = yield
    self.maxBusyShare = maxBusyShare
    self.protectedCgroup = protectedCgroup
    self.protectedQuietPeriod = protectedQuietPeriod
    self.finishesBeforeProtectedIO = finishesBeforeProtectedIO
  }

  /// Whether any pressure bound is set (so pressure is read at all).
  public var boundsPressure: Bool { maxIOPressure != nil || maxMemoryPressure != nil }

  /// Whether operations wait for anything before they start: a pressure bound or a protected
  /// workload.
  public var gatesOperations: Bool { boundsPressure || protectedCgroup != nil }

  /// Whether `pressure` is within the bounds for starting work.
  public func admits(_ pressure: MachinePressure) -> Bool {
    pressure.io <= (maxIOPressure ?? 100) && pressure.memory <= (maxMemoryPressure ?? 100)
  }

  /// Whether `pressure`, read while the run's own operation runs, is within the in-flight bounds.
  public func toleratesInFlight(_ pressure: MachinePressure) -> Bool {
    pressure.io <= (inFlightIOPressure ?? maxIOPressure ?? 100)
      && pressure.memory <= (maxMemoryPressure ?? 100)
  }
}

/// What a run does when pressure stays high for the grace period, or the protected workload does
/// I/O, while a block group is relocated.
public enum YieldAction: String, Hashable, Sendable, CaseIterable {
  /// Ask the kernel to pause: it does so once the block group in flight is relocated (it checks a
  /// pause only between block groups); the run counts the block group as relocated, cancels the
  /// paused balance so that nothing is left for the kernel to resume, and waits for the machine
  /// before the next block group.
  case pause
  /// Cancel the block group in flight (the kernel checks a cancel after every extent), losing the
  /// work done on it; the run waits for the machine, then relocates it again.
  case cancel
}
