import Btrfs
import Foundation
import Logging
import Steward
import Synchronization

/// Shows what the maintenance jobs do: on a terminal, a live progress line and plain lines on
/// standard output; otherwise log lines with journald priorities (findings at error priority).
final class MaintenanceReporter: Sendable {
  private let isTerminal = isatty(STDOUT_FILENO) == 1
  private let lastDraw = Mutex<Date>(.distantPast)
  /// The log priority of errors a scrub corrected.
  let correctedPriority: Logger.Level

  init(correctedPriority: ErrorPriority = .warning) {
    switch correctedPriority {
    case .notice: self.correctedPriority = .notice
    case .warning: self.correctedPriority = .warning
    case .error: self.correctedPriority = .error
    }
  }

  /// Writes `line` at `level`.
  func emit(_ level: Logger.Level, _ line: String) {
    if isTerminal {
      FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + line + "\n").utf8))
    } else {
      stewardLog.log(level: level, "\(line)")
    }
  }

  /// Shows one scrub event of the filesystem at `path`.
  func handle(_ event: ScrubEvent, path: String) {
    switch event {
    case .starting(let devices, let oneAtATime, let resumed, let bytesLeft):
      emit(
        .notice,
        "\(resumed ? "Carrying on" : "Starting") scrub of \(path): devices "
          + devices.map(String.init).joined(separator: ", ")
          + (oneAtATime ? " one at a time" : " together")
          + ", \(ByteCount(bytesLeft)) of device extents left")
    case .speedLimitApplied(let devid, let original, let applied):
      emit(
        .info,
        "device \(devid): scrub speed limit \(ByteCount(applied))/s for this job (was "
          + "\(original == 0 ? "unlimited" : ByteCount(original).description + "/s"))")
    case .speedLimitRestored(let devid, let value):
      emit(
        .info,
        "device \(devid): scrub speed limit back at "
          + (value == 0 ? "unlimited" : ByteCount(value).description + "/s"))
    case .progress(let devid, let done, let left, let rate, let secondsLeft):
      guard isTerminal else { return }
      let now = Date()
      let draw = lastDraw.withLock { last in
        guard now.timeIntervalSince(last) >= 0.5 else { return false }
        last = now
        return true
      }
      guard draw else { return }
      var line = "device \(devid): scrubbed \(ByteCount(done)), \(ByteCount(left)) left"
      if let rate { line += " · \(ByteCount(UInt64(rate)))/s" }
      if let secondsLeft { line += " · ETA \(Int(secondsLeft))s" }
      FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + line).utf8))
    case .extentFinished(let extent, let counters):
      if counters.uncorrectableErrors > 0 {
        emit(
          .error,
          "device \(extent.devid): \(counters.uncorrectableErrors) uncorrectable errors in the"
            + " chunk at \(extent.chunkVaddr) (\(describe(counters)))")
      } else if counters.errorsFound > 0 {
        emit(
          correctedPriority,
          "device \(extent.devid): \(counters.correctedErrors) errors corrected in the chunk at"
            + " \(extent.chunkVaddr) (\(describe(counters)))")
      }
    case .waitingForMachine(let devid, let observation):
      emit(.notice, "device \(devid): the scrub waits for the machine: " + observation.whyWaiting)
    case .machineCalm(let devid, let waited):
      emit(
        .notice,
        "device \(devid): the machine is calm again after \(oneDecimal(waited))s; the scrub goes on"
      )
    case .stopping(let request):
      switch request {
      case .pause(let reason):
        emit(.warning, "Pausing the scrub: \(reason); the next scrub run resumes it")
      case .cancel(let reason): emit(.warning, "Cancelling the scrub: \(reason)")
      }
    case .ended(let end):
      switch end {
      case .finished(let totals):
        for (devid, counters) in totals.sorted(by: { $0.key < $1.key }) {
          emit(
            counters.uncorrectableErrors > 0 ? .error : .notice,
            "device \(devid): scrubbed \(ByteCount(counters.bytesScrubbed)); \(describe(counters))")
        }
        emit(.notice, "Scrub of \(path) finished")
      case .paused(let reason): emit(.notice, "Scrub of \(path) paused (\(reason))")
      case .cancelled(let reason): emit(.notice, "Scrub of \(path) cancelled (\(reason))")
      }
    }
  }

  private func describe(_ counters: ScrubCounters) -> String {
    "read errors \(counters.readErrors), checksum errors \(counters.checksumErrors), verify errors"
      + " \(counters.verifyErrors), super errors \(counters.superErrors), corrected"
      + " \(counters.correctedErrors), uncorrectable \(counters.uncorrectableErrors)"
  }
}
