import Btrfs
import Foundation

/// Runs a plan operation by operation through a ``BalanceTarget``, journaling every step before it
/// happens, polling progress while the kernel works, and honouring stop requests (signals, closing
/// windows, max-runtime, battery, requests from other shells) by pausing or cancelling the kernel's
/// balance. A run it leaves paused, or a crash at any point, is carried on by the next
/// ``execute(_:policyPath:continuing:)`` given the journal's ``RunHistory``.
public struct Executor: Sendable {
  /// The filesystem.
  public var target: any BalanceTarget
  /// The policy the plan was made from (rules, limits, windows, conditions).
  public var policy: Policy
  /// Where the run's records go.
  public var journal: Journal
  /// Stop requests from outside.
  public var stops: StopRequests
  /// The clock (injectable so tests can close windows).
  public var now: @Sendable () -> Date
  /// Whether the machine is on mains power (injectable for tests).
  public var isOnMains: @Sendable () -> Bool
  /// Seconds between two progress polls.
  public var pollInterval: Double
  /// Receives progress events.
  public var observe: @Sendable (ExecutionEvent) -> Void
  /// Where the machine's pressure is read when the policy's `pacing` bounds it; `nil` reads as
  /// pressure that cannot be read, which a paced run waits out.
  public var pressure: (any PressureGauge)?
  /// Compares each operation's result with the prediction and plans the rest anew when they
  /// differ by more than a chunk; `nil`: the plan is run as it is.
  public var predictionCheck: PredictionCheck?

  public init(
    target: any BalanceTarget, policy: Policy, journal: Journal, stops: StopRequests,
    now: @escaping @Sendable () -> Date = { Date() },
    isOnMains: @escaping @Sendable () -> Bool = { PowerSupply.isOnMains() },
    pollInterval: Double = 0.25, observe: @escaping @Sendable (ExecutionEvent) -> Void = { _ in },
    pressure: (any PressureGauge)? = nil,
    predictionCheck: PredictionCheck? = nil
  ) {
    self.target = target
    self.policy = policy
    self.journal = journal
    self.stops = stops
    self.now = now
    self.isOnMains = isOnMains
    self.pollInterval = pollInterval
    self.observe = observe
    self.pressure = pressure
    self.predictionCheck = predictionCheck
  }

  /// Runs `plan`: from its start when `history` is `nil` (journaling a new run), otherwise from where
  /// the journaled run left it, first finishing the operation that was in flight.
  public func execute(
    _ plan: Plan, policyPath: String?, continuing history: RunHistory?
  ) throws(ExecutionError) -> RunEnd {
    let session = Session(executor: self, plan: plan, startedAt: now(), history: history)
    let target = self.target
    stops.whenCancelled { try? target.cancelBalance() }
    defer { stops.whenCancelled(nil) }
    let end = try session.run(policyPath: policyPath)
    observe(.runEnded(end))
    return end
  }
}

/// One process's work on a run.
private final class Session {
  let executor: Executor
  /// The plan, whose operations not yet run a ``PredictionCheck`` may replace.
  var plan: Plan
  /// How many times this process planned the rest of the run anew.
  var replans = 0
  let startedAt: Date
  let history: RunHistory?
  var tally: RunTally
  /// The CPU time of this thread, on which the whole session runs, when it started.
  let cpuAtStart = ThreadCPUTime.seconds()
  /// The pressure gate, the in-flight watch and the rests between operations.
  let pacer: RunPacer
  /// Set by an operation that yielded to pressure: run it again, resuming the kernel's paused
  /// balance or starting afresh.
  var retryResuming: Bool?

  init(executor: Executor, plan: Plan, startedAt: Date, history: RunHistory?) {
    self.executor = executor
    self.plan = plan
    self.startedAt = startedAt
    self.history = history
    tally = RunTally(results: history?.results ?? [:])
    pacer = RunPacer(
      policy: executor.policy, gauge: executor.pressure, stops: executor.stops, now: executor.now,
      sampleInterval: executor.pollInterval, observe: executor.observe)
  }

  var target: any BalanceTarget { executor.target }

  func run(policyPath: String?) throws(ExecutionError) -> RunEnd {
    if history == nil {
      try record(.runStarted(plan: plan, policyPath: policyPath, processID: getpid()))
    } else {
      try record(.runResumed(processID: getpid()))
    }
    executor.observe(.runStarting(plan: plan, carriedOn: history != nil, done: tally.results.count))
    if let operation = history?.inFlightOperation, tally.results[operation.index] == nil {
      if let end = try carryOn(operation) { return end }
    }
    // `plan` may change under the loop (``checkPrediction(_:_:)``): the next operation is looked
    // up afresh each time.
    while let operation = plan.operations.first(where: { tally.results[$0.index] == nil }) {
      if let end = try checkBeforeOperation() { return end }
      if try pacer.waitForMachine(
        operation: operation.index, checkClock: requestClockStops, record: record),
        let end = try checkBeforeOperation()
      {
        return end
      }
      if let end = try performPaced(operation, resuming: false) { return end }
      try checkPrediction(operation)
      if operation.index != plan.operations.last?.index {
        pacer.restBeforeNextOperation(
          pauseBetween: executor.policy.limits.pauseBetween, checkClock: requestClockStops)
      }
    }
    return try finish(tally.goalSkips > 0 ? .goalReached : .completed)
  }

  // MARK: Operations

  /// Finishes the operation a previous process left in flight: resumes the kernel's paused balance
  /// when it is this operation's, waits for one still running, and otherwise looks at the block
  /// group to tell whether the operation happened.
  private func carryOn(_ operation: PlannedOperation) throws(ExecutionError) -> RunEnd? {
    while let progress = try kernel({ () throws(BtrfsError) in try target.balanceProgress() }) {
      guard operation.arguments.isSameBalance(as: progress.arguments) else {
        throw .kernel(.balanceInProgress(path: plan.mountpoint ?? plan.fsid))
      }
      if progress.isPaused {
        try record(.operationResumed(index: operation.index))
        return try performPaced(operation, resuming: true)
      }
      // Still running in the kernel (the process that started it is gone): let it finish.
      _ = executor.stops.wait(seconds: executor.pollInterval)
      if executor.stops.current != nil { return try checkBeforeOperation() }
    }
    if try kernel({ () throws(BtrfsError) in try target.blockGroup(at: operation.target.vaddr) })
      == nil
    {
      let unallocated = try kernel({ () throws(BtrfsError) in try target.layout() })
        .unallocatedBytes
      try finishOperation(
        operation,
        .relocated(relocatedBytes: operation.target.used, unallocatedAfter: unallocated),
        elapsed: 0)
      return nil
    }
    return try performPaced(operation, resuming: false)
  }

  /// Runs one operation, again each time it yields to pressure (``retryResuming``).
  private func performPaced(
    _ operation: PlannedOperation, resuming: Bool
  ) throws(ExecutionError) -> RunEnd? {
    var resuming = resuming
    while true {
      retryResuming = nil
      let end = try perform(operation, resuming: resuming)
      guard let again = retryResuming else { return end }
      resuming = again
    }
  }

  /// Re-checks, journals and runs one operation; returns how the run ended if it ended.
  private func perform(
    _ operation: PlannedOperation, resuming: Bool
  ) throws(ExecutionError) -> RunEnd? {
    let rule = executor.policy.rules.first { $0.name == operation.rule }
    var relocating = operation.target.used
    if !resuming {
      let layout = try kernel({ () throws(BtrfsError) in try target.layout() })
      if let reason = goalMet(rule, layout) {
        tally.goalSkips += 1
        try finishOperation(operation, .skipped(reason: reason), elapsed: 0)
        return nil
      }
      guard let current = layout.blockGroup(at: operation.target.vaddr) else {
        try finishOperation(operation, .skipped(reason: "the block group is gone"), elapsed: 0)
        return nil
      }
      // A block group without a chunk (none exists on a sane filesystem) is on no device.
      let chunk = {
        layout.chunk(at: current.vaddr)
          ?? Chunk(vaddr: current.vaddr, length: 0, flags: [], stripes: [])
      }
      if let rule, !rule.select.matches(current, chunk: chunk) {
        let usage = current.usagePercent.formatted(.number.precision(.fractionLength(1)))
        try finishOperation(
          operation,
          .skipped(reason: "it no longer matches rule '\(rule.name)' (usage now \(usage)%)"),
          elapsed: 0)
        return nil
      }
      relocating = current.used
      CrashPoint.beforeOperation.reach()
      try record(
        .operationStarted(
          index: operation.index, vaddr: operation.target.vaddr, arguments: operation.arguments))
      CrashPoint.afterJournal.reach()
    }
    let position = plan.operations.firstIndex { $0.index == operation.index }! + 1
    executor.observe(
      .operationStarting(
        operation, position: position, total: plan.operations.count, resumed: resuming))
    let started = Date()
    let balanceTarget = target
    let arguments = operation.arguments
    let call = KernelCall { () throws(BtrfsError) in
      resuming ? try balanceTarget.resumeBalance() : try balanceTarget.startBalance(arguments)
    }
    var askedKernel = false
    var yielding = false
    pacer.operationStarting()
    var outcome: Result<BalanceOutcome, BtrfsError>?
    var lastPoll = Date.distantPast
    while outcome == nil {
      // Stop requests are noticed within a few milliseconds; progress is polled less often.
      outcome = call.wait(seconds: min(executor.pollInterval, 0.02))
      if outcome != nil { break }
      if Date().timeIntervalSince(lastPoll) >= executor.pollInterval {
        lastPoll = Date()
        if let progress = try? target.balanceProgress() {
          executor.observe(
            .operationProgress(
              operation, progress, elapsedSeconds: Date().timeIntervalSince(started)))
        }
        requestClockStops()
        if !askedKernel, executor.stops.current == nil,
          pacer.shouldYield(operation, at: executor.now())
        {
          askedKernel = true
          yielding = true
          switch pacer.pacing.yield {
          case .pause: try? target.pauseBalance()
          case .cancel: try? target.cancelBalance()
          }
        }
      }
      if !askedKernel, let request = executor.stops.current {
        askedKernel = true
        executor.observe(.stopping(request))
        switch request {
        case .pause: try? target.pauseBalance()
        case .cancel: try? target.cancelBalance()
        }
      }
    }
    let elapsed = Date().timeIntervalSince(started)
    pacer.recordBusy(seconds: elapsed)
    if yielding,
      case .handled(let end) = try yielded(
        operation, outcome!, elapsed: elapsed, relocating: relocating)
    {
      return end
    }
    switch outcome! {
    case .success(.completed(let statistics)):
      // The kernel's own count says whether it relocated the block group (its address alone cannot:
      // a chunk allocated later may reuse the address of a removed one). A resumed balance counts
      // from zero again, and the block group in flight when it paused was finished before the
      // pause: then the address being gone is what tells.
      let layout = try kernel({ () throws(BtrfsError) in try target.layout() })
      let result: OperationResult =
        statistics.completed > 0 || layout.blockGroup(at: operation.target.vaddr) == nil
        ? .relocated(relocatedBytes: relocating, unallocatedAfter: layout.unallocatedBytes)
        : .skipped(
          reason: "the kernel left it in place (pinned by a swapfile or a scrub, or unmovable)")
      try finishOperation(operation, result, elapsed: elapsed)
      return nil
    case .success(.paused):
      // Even when the block group was relocated before the pause landed, the kernel keeps the
      // balance paused: the operation stays in flight until it is resumed or cancelled.
      let reason = executor.stops.current?.reason ?? .external
      try record(.paused(reason: reason, operation: operation.index))
      return .paused(reason, try summary(.completed))
    case .success(.cancelled(let statistics)):
      // The kernel looks for a cancel at every chunk it walks, so one that lands just after the
      // block group was relocated cancels a balance that has done its work.
      let reason = executor.stops.current?.reason ?? .external
      var inFlight: Int? = operation.index
      if statistics.completed > 0 {
        let layout = try kernel({ () throws(BtrfsError) in try target.layout() })
        try finishOperation(
          operation,
          .relocated(relocatedBytes: relocating, unallocatedAfter: layout.unallocatedBytes),
          elapsed: elapsed)
        inFlight = nil
      }
      try record(.cancelled(reason: reason, operation: inFlight))
      return .cancelled(reason, try summary(.cancelled))
    case .failure(.noSpace):
      try finishOperation(operation, .noSpace, elapsed: elapsed)
      if rule?.onNoSpace == .skip { return nil }
      return try finish(.noSpace)
    case .failure(let error):
      try finishOperation(operation, .failed(message: error.description), elapsed: elapsed)
      _ = try finish(.failed)
      throw .kernel(error)
    }
  }

  /// How ``yielded(_:_:elapsed:relocating:)`` dealt with an operation's outcome.
  private enum YieldHandling {
    /// As any other outcome: the balance completed or failed, or a stop request outranked the yield.
    case asUsual
    /// Done with: the run ends (with this end) or goes on (`nil`, or again with ``retryResuming``).
    case handled(RunEnd?)
  }

  /// After the run yielded `operation` to pressure: waits for the machine and sets
  /// ``retryResuming``, or ends the run when a stop came meanwhile.
  private func yielded(
    _ operation: PlannedOperation, _ outcome: Result<BalanceOutcome, BtrfsError>, elapsed: Double,
    relocating: UInt64
  ) throws(ExecutionError) -> YieldHandling {
    if case .cancel? = executor.stops.current { return .asUsual }
    switch outcome {
    case .success(.paused):
      // The kernel paused after the block group in flight; its balance stays paused meanwhile.
      guard executor.stops.current == nil else { return .asUsual }
      if try pacer.waitForMachine(
        operation: operation.index, checkClock: requestClockStops, record: record)
      {
        return .handled(try stoppedWhilePaused(operation, relocating: relocating))
      }
      try record(.operationResumed(index: operation.index))
      retryResuming = true
      return .handled(nil)
    case .success(.cancelled(let statistics)) where statistics.completed == 0:
      try record(.operationYielded(index: operation.index, lostSeconds: elapsed))
      executor.observe(.operationYielded(operation, lostSeconds: elapsed))
      if executor.stops.current != nil {
        return .handled(try checkBeforeOperation())
      }
      if try pacer.waitForMachine(
        operation: operation.index, checkClock: requestClockStops, record: record)
      {
        return .handled(try checkBeforeOperation())
      }
      retryResuming = false
      return .handled(nil)
    case .success(.cancelled):
      // The cancel landed after the block group was relocated: the work is done.
      let layout = try kernel({ () throws(BtrfsError) in try target.layout() })
      try finishOperation(
        operation,
        .relocated(relocatedBytes: relocating, unallocatedAfter: layout.unallocatedBytes),
        elapsed: elapsed)
      return .handled(nil)
    default:
      return .asUsual
    }
  }

  /// A stop came while the run waited for the machine with the kernel's balance of `operation`
  /// paused: a pause leaves it paused for the next run; a cancel (whose request already cancelled
  /// the kernel's balance) ends the run, the operation done when its block group is gone.
  private func stoppedWhilePaused(
    _ operation: PlannedOperation, relocating: UInt64
  ) throws(ExecutionError) -> RunEnd {
    let request = executor.stops.current!
    executor.observe(.stopping(request))
    switch request {
    case .pause(let reason):
      try record(.paused(reason: reason, operation: operation.index))
      return .paused(reason, try summary(.completed))
    case .cancel(let reason):
      let layout = try kernel({ () throws(BtrfsError) in try target.layout() })
      let relocated = layout.blockGroup(at: operation.target.vaddr) == nil
      if relocated {
        try finishOperation(
          operation,
          .relocated(relocatedBytes: relocating, unallocatedAfter: layout.unallocatedBytes),
          elapsed: 0)
      }
      try record(.cancelled(reason: reason, operation: relocated ? nil : operation.index))
      return .cancelled(reason, try summary(.cancelled))
    }
  }

  /// The hook of ``Executor/predictionCheck``: after `operation` relocated its block group,
  /// journals how the kernel's result compares with the prediction and, when they differ by more
  /// than one chunk, journals and takes a new plan for the rest of the run.
  private func checkPrediction(_ operation: PlannedOperation) throws(ExecutionError) {
    guard let check = executor.predictionCheck,
      case .relocated(_, let unallocated)? = tally.results[operation.index]
    else { return }
    let finding = check.compare(operation, realUnallocated: unallocated)
    try record(
      .predictionChecked(
        index: operation.index, predictedUnallocated: finding.predictedUnallocated,
        realUnallocated: unallocated))
    guard finding.exceedsTolerance, replans < check.maximumReplans else { return }
    replans += 1
    let operations: [PlannedOperation]
    switch Result(catching: { () throws(PredictionCheckError) in try check.replan(plan, on: target)
    })
    {
    case .success(let fresh): operations = fresh
    case .failure(.kernel(let error)): throw .kernel(error)
    // A layout that contradicts itself cannot be planned on: the run goes on with its plan.
    case .failure(.layout): return
    }
    try record(.replanned(operations: operations))
    plan.replaceRemaining(with: operations, done: Set(tally.results.keys))
  }

  private func finishOperation(
    _ operation: PlannedOperation, _ result: OperationResult, elapsed: Double
  ) throws(ExecutionError) {
    try record(.operationFinished(index: operation.index, result: result))
    CrashPoint.afterOperation.reach()
    tally.results[operation.index] = result
    executor.observe(.operationFinished(operation, result, elapsedSeconds: elapsed))
  }

  // MARK: Stops, goals and limits

  /// Turns a closed window, max-runtime and battery power into stop requests.
  private func requestClockStops() {
    let policy = executor.policy
    let now = executor.now()
    if !policy.isWithinWindow(at: now) {
      executor.stops.request(.pause(.windowClosed))
    }
    if let maxRuntime = policy.limits.maxRuntime,
      now.timeIntervalSince(startedAt) >= maxRuntime.seconds
    {
      executor.stops.request(.pause(.maxRuntime))
    }
    if policy.conditions.requiresACPower, !executor.isOnMains() {
      executor.stops.request(.pause(.onBattery))
    }
  }

  /// Between operations: ends the run when it was asked to stop or a limit is reached.
  private func checkBeforeOperation() throws(ExecutionError) -> RunEnd? {
    requestClockStops()
    if let request = executor.stops.current {
      executor.observe(.stopping(request))
      switch request {
      case .pause(let reason):
        try record(.paused(reason: reason, operation: nil))
        return .paused(reason, try summary(.completed))
      case .cancel(let reason):
        try record(.cancelled(reason: reason, operation: nil))
        return .cancelled(reason, try summary(.cancelled))
      }
    }
    let limits = executor.policy.limits
    if let maxOperations = limits.maxOperations, tally.attempted >= maxOperations {
      return try finish(.limitReached)
    }
    if let maxRelocated = limits.maxRelocatedBytes, tally.relocatedBytes >= maxRelocated {
      return try finish(.limitReached)
    }
    return nil
  }

  /// The reason to skip an operation of `rule` because one of its goals already holds on `layout`.
  private func goalMet(_ rule: Rule?, _ layout: Layout) -> String? {
    for goal in rule?.until ?? [] {
      let (holds, reason) = goal.evaluate(
        unallocated: layout.unallocatedBytes, totalBytes: layout.totalBytes)
      if holds { return "goal of rule '\(rule!.name)' met: \(reason)" }
    }
    return nil
  }

  // MARK: Ending

  private func summary(_ ending: RunEnding) throws(ExecutionError) -> RunSummary {
    let unallocated = try kernel({ () throws(BtrfsError) in try target.layout() }).unallocatedBytes
    return tally.summary(
      ending, plan: plan, unallocatedAfter: unallocated,
      executorCPUSeconds: ThreadCPUTime.seconds() - cpuAtStart)
  }

  private func finish(_ ending: RunEnding) throws(ExecutionError) -> RunEnd {
    let summary = try summary(ending)
    try record(.runFinished(summary: summary))
    return .finished(summary)
  }

  private func record(_ event: JournalEvent) throws(ExecutionError) {
    do {
      try executor.journal.record(event)
    } catch {
      throw .journal(error)
    }
  }

  private func kernel<Value>(_ body: () throws(BtrfsError) -> Value) throws(ExecutionError) -> Value
  {
    do {
      return try body()
    } catch {
      throw .kernel(error)
    }
  }
}

extension Duration {
  /// The duration in seconds.
  var seconds: Double {
    Double(components.seconds) + Double(components.attoseconds) / 1e18
  }
}
