import Btrfs

/// What a scrub job tells its observer, in order.
public enum ScrubEvent: Sendable {
  /// The job starts (or carries on): its devices, whether one at a time, and what is left.
  case starting(devices: [UInt64], oneAtATime: Bool, resumed: Bool, bytesLeft: UInt64)
  /// A device's speed limit was set for the job (`original` is restored afterwards).
  case speedLimitApplied(devid: UInt64, original: UInt64, applied: UInt64)
  /// A speed limit was set back to `value`.
  case speedLimitRestored(devid: UInt64, value: UInt64)
  /// How the scrub of a device stands: bytes of its device extents done and left this job, the
  /// rate this run, and the estimated seconds left for the device.
  case progress(
    devid: UInt64, bytesDone: UInt64, bytesLeft: UInt64, bytesPerSecond: Double?,
    secondsLeft: Double?)
  /// Device `devid`'s next extent waits for the machine (``PacingGate``): what was read.
  case waitingForMachine(devid: UInt64, PressureObservation)
  /// Device `devid`'s wait for the machine ended after `waitedSeconds`.
  case machineCalm(devid: UInt64, waitedSeconds: Double)
  /// A device extent was scrubbed to its end.
  case extentFinished(DeviceExtent, ScrubCounters)
  /// The job was asked to stop.
  case stopping(StopRequest)
  /// The job ended.
  case ended(ScrubEnd)
}

/// How a scrub job ended this run.
public enum ScrubEnd: Hashable, Sendable {
  /// Every device extent was scrubbed; the totals per device.
  case finished(totals: [UInt64: ScrubCounters])
  /// It paused; the next scrub run resumes it.
  case paused(StopReason)
  /// It was cancelled.
  case cancelled(StopReason)

  /// The documented exit status: a finished scrub that left uncorrectable errors is not a success.
  public var exitStatus: ExitStatus {
    switch self {
    case .finished(let totals):
      totals.values.contains { $0.uncorrectableErrors > 0 } ? .uncorrectableErrors : .success
    case .paused: .paused
    case .cancelled: .cancelled
    }
  }
}
