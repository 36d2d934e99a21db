import Btrfs
import Foundation
import Steward
import Synchronization

/// Shows a run's progress: a live line on a terminal, one line per operation otherwise (systemd's
/// journal), or a stream of JSON events.
final class RunReporter: Sendable {
  enum Style {
    case terminal
    case lines
    case json
  }

  private let style: Style
  private let lastDraw = Mutex<Double>(0)

  init(json: Bool) {
    style = json ? .json : (isatty(STDOUT_FILENO) == 1 ? .terminal : .lines)
  }

  func handle(_ event: ExecutionEvent) {
    switch style {
    case .json: emitJSON(event)
    case .terminal, .lines: emitText(event)
    }
  }

  /// A note about the run, outside the event stream.
  func note(_ text: String) {
    if style == .json {
      write(JSONLine(event: "note", message: text))
    } else {
      say(text)
    }
  }

  private func emitText(_ event: ExecutionEvent) {
    switch event {
    case .runStarting(let plan, let carriedOn, let done):
      let verb = carriedOn ? "Carrying on" : "Starting"
      say(
        "\(verb) run of policy '\(plan.policyName)' on \(plan.mountpoint ?? plan.fsid): "
          + "\(plan.operations.count) operations\(carriedOn ? ", \(done) already done" : "")")
    case .operationStarting(let operation, let position, let total, let resumed):
      if style == .lines {
        say(
          "[\(position)/\(total)] \(resumed ? "resuming" : "relocating") \(describe(operation))")
      }
    case .operationProgress(let operation, let progress, let elapsed):
      guard style == .terminal else { return }
      let shouldDraw = lastDraw.withLock { last in
        guard elapsed - last >= 0.5 || elapsed < last else { return false }
        last = elapsed
        return true
      }
      if shouldDraw {
        let line =
          "  #\(operation.index) \(describe(operation)) — \(String(format: "%.0f", elapsed))s, "
          + "kernel: \(progress.statistics.completed)/\(progress.statistics.expected) block groups"
        FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + line).utf8))
      }
    case .operationFinished(let operation, let result, let elapsed):
      let prefix = style == .terminal ? "\r\u{1B}[K" : ""
      say(
        prefix + "  #\(operation.index) \(outcome(result)) in \(String(format: "%.1f", elapsed))s")
    case .stopping(let request):
      let prefix = style == .terminal ? "\r\u{1B}[K" : ""
      switch request {
      case .pause(let reason):
        say(prefix + "Pausing: \(reason) (the block group in flight finishes first)")
      case .cancel(let reason): say(prefix + "Cancelling: \(reason)")
      }
    case .runEnded(let end):
      say(summary(end))
    }
  }

  private func describe(_ operation: PlannedOperation) -> String {
    let target = operation.target
    return
      "\(target.type.rawValue) block group \(target.vaddr) (\(ByteCount(target.length)), "
      + "\(String(format: "%.1f", target.usagePercent))% used, rule '\(operation.rule)')"
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

  func summary(_ end: RunEnd) -> String {
    let summary = end.summary
    let state: String
    switch end {
    case .finished: state = "Finished (\(summary.ending.rawValue))"
    case .paused(let reason, _): state = "Paused because \(reason); the next run resumes"
    case .cancelled(let reason, _): state = "Cancelled because \(reason)"
    }
    let gained = summary.unallocatedGained
    return
      "\(state): \(summary.relocated) relocated, \(summary.skipped) skipped, \(summary.failed) failed, "
      + "\(summary.left) left; moved \(ByteCount(summary.relocatedBytes)); unallocated "
      + "\(ByteCount(summary.unallocatedBefore)) → \(ByteCount(summary.unallocatedAfter)) "
      + "(\(gained >= 0 ? "+" : "-")\(ByteCount(gained.magnitude)))"
  }

  /// Writes a line to standard output at once (unbuffered, so the journal sees it as it happens).
  private func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
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
    var result: OperationResult? = nil
    var plan: Plan? = nil
    var summary: RunSummary? = nil
    var reason: String? = nil
  }

  private func emitJSON(_ event: ExecutionEvent) {
    switch event {
    case .runStarting(let plan, let carriedOn, _):
      write(JSONLine(event: carriedOn ? "run-carried-on" : "run-started", plan: plan))
    case .operationStarting(let operation, let position, let total, let resumed):
      write(
        JSONLine(
          event: resumed ? "operation-resumed" : "operation-started", operation: operation.index,
          vaddr: operation.target.vaddr, rule: operation.rule, position: position, total: total))
    case .operationProgress(let operation, let progress, let elapsed):
      write(
        JSONLine(
          event: "progress", operation: operation.index, vaddr: operation.target.vaddr,
          progress: progress.statistics, elapsedSeconds: elapsed))
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
    case .runEnded(let end):
      let name: String
      var reason: String?
      switch end {
      case .finished: name = "run-finished"
      case .paused(let why, _):
        name = "run-paused"
        reason = why.rawValue
      case .cancelled(let why, _):
        name = "run-cancelled"
        reason = why.rawValue
      }
      write(JSONLine(event: name, summary: end.summary, reason: reason))
    }
  }

  private func write(_ line: JSONLine) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    guard let data = try? encoder.encode(line) else { return }
    FileHandle.standardOutput.write(data + Data("\n".utf8))
  }
}
