import Btrfs
import Foundation
import Logging
import Steward
import Synchronization

/// Shows a run's progress: a live line on a terminal, one log record per operation otherwise
/// (systemd's journal, with the run's fields), or a stream of JSON events. Warnings and errors are
/// log records on standard error whatever the style.
final class RunReporter: Sendable {
  enum Style {
    case terminal
    /// One line per operation through the logger (standard error, or journald's fields).
    case lines
    /// One line per operation on standard output, for the demo's reader whatever standard output is.
    case standardOutputLines
    case json
  }

  private let style: Style
  private let state = Mutex(Progress())

  /// What the live line and the ETA are computed from.
  private struct Progress {
    var remainingBytes: [Int: UInt64] = [:]
    var relocatedBytes: UInt64 = 0
    var relocationSeconds: Double = 0
    var unallocated: UInt64 = 0
    var lastDraw: Double = 0
    var position = 0
    var total = 0
    /// The journal fields of every record of the run: fsid, mountpoint, policy.
    var fields: Logger.Metadata = [:]

    /// Used bytes of the operations not finished yet, the one in flight included.
    var remainingTotal: UInt64 { remainingBytes.values.reduce(0, +) }

    /// Seconds until the plan is done, from the relocation speed of the operations finished so
    /// far, `elapsed` seconds into the one in flight; `nil` before one has relocated anything.
    func etaSeconds(elapsed: Double) -> Int? {
      guard relocationSeconds > 0, relocatedBytes > 0 else { return nil }
      let speed = Double(relocatedBytes) / relocationSeconds
      return Int(max(Double(remainingTotal) / speed - elapsed, 0))
    }
  }

  /// JSON events with `json`; otherwise a live line on a terminal, and lines on standard output
  /// (`linesOnStandardOutput`) or through the logger when standard output is not a terminal.
  init(json: Bool, linesOnStandardOutput: Bool = false) {
    style =
      json
      ? .json
      : isatty(STDOUT_FILENO) == 1
        ? .terminal : linesOnStandardOutput ? .standardOutputLines : .lines
  }

  /// Sets the fields of the run's records before it starts (its refusals have them too).
  func setRun(fsid: String, mountpoint: String, policy: String) {
    state.withLock {
      $0.fields = ["fsid": "\(fsid)", "mountpoint": "\(mountpoint)", "policy": "\(policy)"]
    }
  }

  func handle(_ event: ExecutionEvent) {
    track(event)
    switch style {
    case .json: emitJSON(event)
    case .terminal, .lines, .standardOutputLines: emitText(event)
    }
  }

  /// A note about the run, outside the event stream.
  func note(_ text: String) {
    if style == .json {
      write(JSONLine(event: "note", message: text))
    } else {
      emit(.notice, text)
    }
  }

  /// An error that ended the run (or refused it), with the run's fields.
  func error(_ text: String) {
    emit(.error, text)
  }

  /// Follows the run's progress, which the live line and the JSON progress events report.
  private func track(_ event: ExecutionEvent) {
    state.withLock { progress in
      switch event {
      case .runStarting(let plan, _, _):
        progress.total = plan.operations.count
        progress.unallocated = plan.layout.unallocatedBytes
        for operation in plan.operations {
          progress.remainingBytes[operation.index] = operation.target.used
        }
      case .operationStarting(_, let position, _, _):
        progress.position = position
      case .operationFinished(let operation, let result, let elapsed):
        progress.remainingBytes[operation.index] = nil
        if case .relocated(let bytes, let unallocated) = result {
          progress.relocatedBytes += bytes
          progress.relocationSeconds += elapsed
          progress.unallocated = unallocated
        }
      case .operationProgress, .stopping, .runEnded, .waitingForMachine, .machineCalm, .yielding,
        .operationYielded, .resting:
        break
      }
    }
  }

  private func emitText(_ event: ExecutionEvent) {
    let clear = style == .terminal ? "\r\u{1B}[K" : ""
    switch event {
    case .runStarting(let plan, let carriedOn, let done):
      let verb = carriedOn ? "Carrying on" : "Starting"
      emit(
        .notice,
        "\(verb) run of policy '\(plan.policyName)' on \(plan.mountpoint ?? plan.fsid): "
          + "\(plan.operations.count) operations\(carriedOn ? ", \(done) already done" : "")")
    case .operationStarting(let operation, let position, let total, let resumed):
      if style != .terminal {
        emit(
          .info,
          "[\(position)/\(total)] \(resumed ? "resuming" : "relocating") \(describe(operation))",
          fields(operation))
      }
    case .operationProgress(let operation, _, let elapsed):
      guard style == .terminal, let line = liveLine(operation, elapsed: elapsed) else { return }
      FileHandle.standardOutput.write(Data((clear + line).utf8))
    case .operationFinished(let operation, let result, let elapsed):
      let position = state.withLock { "[\($0.position)/\($0.total)]" }
      let level: Logger.Level =
        switch result {
        case .relocated: .notice
        case .skipped: .info
        case .noSpace, .failed: .error
        }
      var fields = fields(operation)
      fields["result"] = "\(resultName(result))"
      emit(
        level,
        clear
          + "\(position) #\(operation.index) \(outcome(result)) in \(oneDecimal(elapsed))s",
        fields)
    case .stopping(let request):
      switch request {
      case .pause(let reason):
        emit(.warning, clear + "Pausing: \(reason) (the block group in flight finishes first)")
      case .cancel(let reason): emit(.warning, clear + "Cancelling: \(reason)")
      }
    case .runEnded(let summary):
      emit(summary.ending.exitStatus == .success ? .notice : .warning, self.summary(summary))
    case .waitingForMachine(let observation, _):
      emit(.notice, clear + "Waiting for the machine: " + observation.whyWaiting)
    case .machineCalm(let waited):
      emit(.notice, clear + "The machine is calm again after \(oneDecimal(waited))s")
    case .yielding(let operation, let action, let observation):
      let why =
        if case .workloadBusy = observation { "\(observation)" } else {
          "\(observation) stayed above the bound for the grace period"
        }
      emit(
        .notice,
        clear + "#\(operation.index): \(why); "
          + (action == .pause
            ? "pausing after the block group in flight" : "cancelling the block group in flight"))
    case .operationYielded(let operation, let lost):
      emit(
        .notice,
        clear
          + "#\(operation.index): cancelled in flight after \(oneDecimal(lost))s of "
          + "work; it runs again once the machine is calm")
    case .resting(let seconds):
      emit(.info, clear + "Resting \(oneDecimal(seconds))s for the duty cycle")
    }
  }

  /// The terminal's live line: operation i/n, the block group, bytes moved so far, unallocated
  /// space, and an ETA from the relocation speed measured so far (at most twice a second).
  private func liveLine(_ operation: PlannedOperation, elapsed: Double) -> String? {
    state.withLock { progress in
      guard elapsed - progress.lastDraw >= 0.5 || elapsed < progress.lastDraw else { return nil }
      progress.lastDraw = elapsed
      var line =
        "[\(progress.position)/\(progress.total)] \(describe(operation)) \(Int(elapsed.rounded()))s"
        + " · moved \(ByteCount(progress.relocatedBytes)) · unallocated \(ByteCount(progress.unallocated))"
      if let eta = progress.etaSeconds(elapsed: elapsed) {
        line += " · ETA \(eta)s"
      }
      return line
    }
  }

  /// Writes a line: a warning or error, and every line of the `lines` style, through the logger
  /// (standard error, or journald with the run's fields and `extra`); the others on standard output,
  /// unless `--quiet` (or the default, for debug records) leaves their level out.
  private func emit(_ level: Logger.Level, _ line: String, _ extra: Logger.Metadata = [:]) {
    if style == .lines || level >= .warning {
      let fields = state.withLock { $0.fields }.merging(extra) { $1 }
      if style == .terminal, level >= .warning {
        // The live line is on standard output: end it before the record on standard error.
        FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8))
      }
      // Only terminal lines start by clearing the live line.
      let message =
        style == .terminal ? line.replacingOccurrences(of: "\r\u{1B}[K", with: "") : line
      stewardLog.log(level: level, "\(message)", metadata: fields)
    } else if level >= Verbosity.threshold {
      say(line)
    }
  }

  /// The journal fields of an operation's records: its rule, index and block group.
  private func fields(_ operation: PlannedOperation) -> Logger.Metadata {
    [
      "rule": "\(operation.rule)", "operation": "\(operation.index)",
      "vaddr": "\(operation.target.vaddr)",
    ]
  }

  /// An operation's result as the RESULT field spells it.
  private func resultName(_ result: OperationResult) -> String {
    switch result {
    case .relocated: "relocated"
    case .skipped: "skipped"
    case .noSpace: "no-space"
    case .failed: "failed"
    }
  }

  private func describe(_ operation: PlannedOperation) -> String {
    let target = operation.target
    return
      "\(target.type.rawValue) block group \(target.vaddr) (\(ByteCount(target.length)), "
      + "\(oneDecimal(target.usagePercent))% used, rule '\(operation.rule)')"
  }

  private func outcome(_ result: OperationResult) -> String {
    switch result {
    case .relocated(let bytes, let unallocated):
      "relocated \(ByteCount(bytes)); unallocated now \(ByteCount(unallocated))"
    case .skipped(let reason): "skipped: \(reason)"
    case .noSpace: "failed: the kernel ran out of space (ENOSPC)"
    case .failed(let message): "failed: \(message)"
    }
  }

  func summary(_ summary: RunSummary) -> String {
    let state: String
    switch summary.ending {
    case .paused(let reason): state = "Paused because \(reason); the next run resumes"
    case .cancelled(let reason): state = "Cancelled because \(reason)"
    case let finished: state = "Finished (\(finished.label))"
    }
    let gained = summary.unallocatedGained
    return
      "\(state): \(summary.relocated) relocated, \(summary.skipped) skipped, \(summary.failed) failed, "
      + "\(summary.left) left; moved \(ByteCount(summary.relocatedBytes)); unallocated "
      + "\(ByteCount(summary.unallocatedBefore)) → \(ByteCount(summary.unallocatedAfter)) "
      + "(\(gained >= 0 ? "+" : "-")\(ByteCount(gained.magnitude)))"
  }

  /// Writes a line to standard output at once: through `print`'s buffer, flushed, so that it
  /// keeps its place among what the command prints (the demo's sections) and the journal sees it as
  /// it happens.
  private func say(_ line: String) {
    print(line)
    fflush(nil)
  }

  // MARK: JSON

  private struct JSONLine: Encodable {
    var event: String
    var message: String? = nil
    var operation: Int? = nil
    var vaddr: UInt64? = nil
    var rule: String? = nil
    var position: Int? = nil
    var total: Int? = nil
    var progress: BalanceStatistics? = nil
    var elapsedSeconds: Double? = nil
    /// Used bytes the run has moved so far, and those of the operations not finished yet.
    var relocatedBytes: UInt64? = nil
    var remainingBytes: UInt64? = nil
    var etaSeconds: Int? = nil
    var result: OperationResult? = nil
    var plan: JSONOutput<Plan>? = nil
    var summary: RunSummary? = nil
    var reason: String? = nil
    var pressure: MachinePressure? = nil
    /// The protected workload that is busy (``PressureObservation/workloadBusy(_:)``).
    var workload: String? = nil
  }

  private func emitJSON(_ event: ExecutionEvent) {
    switch event {
    case .runStarting(let plan, let carriedOn, _):
      write(
        JSONLine(event: carriedOn ? "run-carried-on" : "run-started", plan: JSONOutput(.plan, plan))
      )
    case .operationStarting(let operation, let position, let total, let resumed):
      write(
        JSONLine(
          event: resumed ? "operation-resumed" : "operation-started", operation: operation.index,
          vaddr: operation.target.vaddr, rule: operation.rule, position: position, total: total))
    case .operationProgress(let operation, let progress, let elapsed):
      let (relocated, remaining, eta) = state.withLock {
        ($0.relocatedBytes, $0.remainingTotal, $0.etaSeconds(elapsed: elapsed))
      }
      write(
        JSONLine(
          event: "progress", operation: operation.index, vaddr: operation.target.vaddr,
          progress: progress.statistics, elapsedSeconds: elapsed, relocatedBytes: relocated,
          remainingBytes: remaining, etaSeconds: eta))
    case .operationFinished(let operation, let result, let elapsed):
      write(
        JSONLine(
          event: "operation-finished", operation: operation.index, vaddr: operation.target.vaddr,
          elapsedSeconds: elapsed, result: result))
    case .stopping(let request):
      switch request {
      case .pause(let reason): write(JSONLine(event: "pausing", reason: reason.rawValue))
      case .cancel(let reason): write(JSONLine(event: "cancelling", reason: reason.rawValue))
      }
    case .runEnded(let summary):
      let name =
        switch summary.ending {
        case .paused: "run-paused"
        case .cancelled: "run-cancelled"
        default: "run-finished"
        }
      write(JSONLine(event: name, summary: summary, reason: summary.ending.stopReason?.rawValue))
    case .waitingForMachine(let observation, let operation):
      write(
        JSONLine(
          event: "waiting-for-machine", message: observation.description, operation: operation,
          pressure: observation.pressure, workload: observation.busyWorkload))
    case .machineCalm(let waited):
      write(JSONLine(event: "machine-calm", elapsedSeconds: waited))
    case .yielding(let operation, let action, let observation):
      write(
        JSONLine(
          event: "yielding", message: observation.description, operation: operation.index,
          reason: action.rawValue, pressure: observation.pressure,
          workload: observation.busyWorkload))
    case .operationYielded(let operation, let lost):
      write(JSONLine(event: "operation-yielded", operation: operation.index, elapsedSeconds: lost))
    case .resting(let seconds):
      write(JSONLine(event: "resting", elapsedSeconds: seconds))
    }
  }

  /// Writes an event as one line of JSON, with the `schema` and `schemaVersion` of the stream.
  private func write(_ line: JSONLine) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    guard let data = try? encoder.encode(JSONOutput(.runEvents, line)) else { return }
    FileHandle.standardOutput.write(data + Data("\n".utf8))
  }
}
