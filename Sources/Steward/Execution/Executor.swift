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
  /// Where the protected workload's activity is read when the policy's `pacing` names one; `nil`
  /// reads as activity that cannot be read, which a paced run waits out.
  public var workload: (any WorkloadActivity)?
  /// Compares each operation's result with the prediction and plans the rest anew when they
  /// differ by more than a chunk; `nil`: the plan is run as it is.
  public var predictionCheck: PredictionCheck?

  public init(
    target: any BalanceTarget, policy: Policy, journal: Journal, stops: StopRequests,
    now: @escaping @Sendable () -> Date = { Date() },
    isOnMains: @escaping @Sendable () -> Bool = { PowerSupply.isOnMains() },
    pollInterval: Double = 0.25, observe: @escaping @Sendable (ExecutionEvent) -> Void = { _ in },
    pressure: (any PressureGauge)? = nil, workload: (any WorkloadActivity)? = nil,
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
    self.workload = workload
    self.predictionCheck = predictionCheck
  }

  /// Runs `plan`: from its start when `history` is `nil` (journaling a new run), otherwise from where
  /// the journaled run left it, first finishing the operation that was in flight. Returns the run's
  /// summary, whose ``RunSummary/ending`` says how it ended.
  public func execute(
    _ plan: Plan, policyPath: String?, continuing history: RunHistory?
  ) throws(ExecutionError) -> RunSummary {
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
  /// The arguments of the last balance this session started.
  var lastStarted: BalanceArguments?
  /// The CPU time of this thread, on which the whole session runs, when it started.
  let cpuAtStart = ThreadCPUTime.seconds()
  /// The pressure gate, the in-flight watch and the rests between operations.
  let pacer: RunPacer
  /// Set by an operation that yielded to pressure before its block group moved: run it again.
  var retry = false

  init(executor: Executor, plan: Plan, startedAt: Date, history: RunHistory?) {
    self.executor = executor
    self.plan = plan
    self.startedAt = startedAt
    self.history = history
    tally = RunTally(results: history?.results ?? [:])
    pacer = RunPacer(
      policy: executor.policy, gauge: executor.pressure, workload: executor.workload,
      stops: executor.stops, now: executor.now, sampleInterval: executor.pollInterval,
      observe: executor.observe)
  }

  var target: any BalanceTarget { executor.target }

  func run(policyPath: String?) throws(ExecutionError) -> RunSummary {
    let start = ProcessIdentity.current()?.startTime
    if history == nil {
      try record(
        .runStarted(
          plan: plan, policyPath: policyPath, processID: getpid(), processStart: start))
    } else {
      try record(.runResumed(processID: getpid(), processStart: start))
    }
    executor.observe(.runStarting(plan: plan, carriedOn: history != nil, done: tally.results.count))
    if let operation = history?.inFlightOperation, tally.results[operation.index] == nil {
      if let end = try carryOn(operation) { return end }
    }
    // `plan` may change under the loop (``checkPrediction(_:)``): the next operation is looked
    // up afresh each time.
    while let operation = plan.operations.first(where: { tally.results[$0.index] == nil }) {
      if let end = try checkBeforeOperation() { return end }
      if try pacer.waitForMachine(
        before: operation, checkClock: requestClockStops, record: record),
        let end = try checkBeforeOperation()
      {
        return end
      }
      if let end = try performPaced(operation) { return end }
      try checkPrediction(operation)
      if operation.index != plan.operations.last?.index {
        pacer.restBeforeNextOperation(
          pauseBetween: executor.policy.limits.pauseBetween, checkClock: requestClockStops)
      }
    }
    return try finish(tally.goalSkips > 0 ? .goalReached : .completed)
  }

  // MARK: Operations

  /// Finishes the operation a previous process left in flight. A balance of it that the kernel
  /// still runs (its process is gone, or the kernel resumed it by itself at mount) is waited for; one
  /// left paused is cancelled, so that it can never resume at the next mount. Then the kernel's
  /// counters and the block group tell whether the operation happened; if not, it runs again.
  private func carryOn(_ operation: PlannedOperation) throws(ExecutionError) -> RunSummary? {
    var completed = false
    while let progress = try kernel({ () throws(BtrfsError) in try target.balanceProgress() }) {
      guard operation.arguments.isSameOperation(as: progress.arguments) else {
        throw .kernel(.balanceInProgress(path: plan.mountpoint ?? plan.fsid))
      }
      completed = completed || progress.statistics.completed > 0
      if progress.isPaused {
        try discardPausedBalance()
        break
      }
      if let request = executor.stops.wait(seconds: executor.pollInterval, requestClockStops) {
        executor.observe(.stopping(request))
        try stopKernelBalance(request)
        return try stopped(request, operation, relocated: try isRelocated(operation, completed))
      }
    }
    if try isRelocated(operation, completed) {
      try finishOperation(
        operation,
        .relocated(relocatedBytes: operation.target.used, unallocatedAfter: try unallocatedNow()),
        elapsed: 0)
      return nil
    }
    return try performPaced(operation)
  }

  /// Runs one operation, again each time it yields to pressure before its block group moved
  /// (``retry``).
  private func performPaced(_ operation: PlannedOperation) throws(ExecutionError) -> RunSummary? {
    while true {
      retry = false
      let end = try perform(operation)
      guard retry else { return end }
    }
  }

  /// Whether `operation`'s block group was relocated: the kernel counted it (`completed`), or its
  /// address is gone.
  private func isRelocated(
    _ operation: PlannedOperation, _ completed: Bool
  ) throws(ExecutionError) -> Bool {
    if completed { return true }
    return try kernel({ () throws(BtrfsError) in
      try target.blockGroup(at: operation.target.vaddr)
    }) == nil
  }

  /// Stops the kernel's balance for `request` and waits until it has stopped, leaving nothing
  /// paused behind.
  private func stopKernelBalance(_ request: StopRequest) throws(ExecutionError) {
    do {
      if case .pause = request { try target.pauseBalance() }
      try target.cancelBalance()
    } catch .noBalance {
      // It ended meanwhile.
    } catch {
      throw .kernel(error)
    }
  }

  /// Cancels a paused balance of this session's last operation that the kernel still holds. A
  /// pause that lands as the block group finishes leaves one even when the ioctl reports the
  /// balance completed: btrfs_balance() keeps it while a pause request is pending.
  private func discardLeftoverBalance() throws(ExecutionError) {
    guard let arguments = lastStarted,
      let left = try kernel({ () throws(BtrfsError) in try target.balanceProgress() }),
      left.isPaused, arguments.isSameOperation(as: left.arguments)
    else { return }
    try discardPausedBalance()
  }

  /// Cancels the kernel's paused balance: this deletes its balance item, so the kernel cannot resume
  /// it at the next mount, outside every window. Nothing is lost: a one-block-group balance pauses
  /// only once its block group is done, or before it began.
  private func discardPausedBalance() throws(ExecutionError) {
    do {
      try target.cancelBalance()
    } catch .noBalance {
      // Someone else cancelled it meanwhile.
    } catch {
      throw .kernel(error)
    }
  }

  /// Re-checks, journals and runs one operation; returns how the run ended if it ended.
  ///
  /// Nothing of the journaled plan is trusted (the journal may have been written by someone else):
  /// the operation runs only when its rule is in the current policy, that rule selects the live
  /// block group at its address, and the block group is still of the planned type; the kernel's
  /// arguments are made from the live block group.
  private func perform(_ operation: PlannedOperation) throws(ExecutionError) -> RunSummary? {
    guard let rule = executor.policy.rules.first(where: { $0.name == operation.rule }) else {
      try finishOperation(
        operation, .skipped(reason: "its rule '\(operation.rule)' is not in the policy"),
        elapsed: 0)
      return nil
    }
    // Only what the checks need is read, not the whole layout: the devices (for the goals), the
    // block group and its chunk.
    let devices = try kernel({ () throws(BtrfsError) in try target.devices() })
    if let reason = goalMet(rule, devices) {
      tally.goalSkips += 1
      try finishOperation(operation, .skipped(reason: reason), elapsed: 0)
      return nil
    }
    let vaddr = operation.target.vaddr
    guard let current = try kernel({ () throws(BtrfsError) in try target.blockGroup(at: vaddr) })
    else {
      try finishOperation(operation, .skipped(reason: "the block group is gone"), elapsed: 0)
      return nil
    }
    guard current.type == operation.target.type else {
      try finishOperation(
        operation,
        .skipped(reason: "the block group is \(current.type), not \(operation.target.type)"),
        elapsed: 0)
      return nil
    }
    // A block group without a chunk (none exists on a sane filesystem) is on no device.
    let chunk =
      try kernel({ () throws(BtrfsError) in try target.chunk(at: current.vaddr) })
      ?? Chunk(vaddr: current.vaddr, length: 0, flags: [], stripes: [])
    guard rule.select.matches(current, chunk: { chunk }) else {
      let usage = oneDecimal(current.usagePercent)
      try finishOperation(
        operation,
        .skipped(reason: "it no longer matches rule '\(rule.name)' (usage now \(usage)%)"),
        elapsed: 0)
      return nil
    }
    let relocating = current.used
    let arguments = operation.arguments
    CrashPoint.beforeOperation.reach()
    try record(
      .operationStarted(index: operation.index, vaddr: current.vaddr, arguments: arguments))
    CrashPoint.afterJournal.reach()
    let position = plan.operations.firstIndex { $0.index == operation.index }! + 1
    executor.observe(
      .operationStarting(
        operation, position: position, total: plan.operations.count, resumed: false))
    // A balance's time is measured on a clock that neither steps with the wall clock nor counts a
    // suspend: it feeds the duty cycle and the estimate of the next block groups' times.
    let started = SuspendingClock.now
    func secondsSince(_ instant: SuspendingClock.Instant) -> Double {
      (SuspendingClock.now - instant).seconds
    }
    let balanceTarget = target
    lastStarted = arguments
    let call = KernelCall { () throws(BtrfsError) in try balanceTarget.startBalance(arguments) }
    var askedKernel = false
    var yielding = false
    pacer.operationStarting()
    var outcome: Result<BalanceOutcome, BtrfsError>?
    var lastPoll: SuspendingClock.Instant?
    func yieldNow() {
      askedKernel = true
      yielding = true
      switch pacer.pacing.yield {
      case .pause: try? target.pauseBalance()
      case .cancel: try? target.cancelBalance()
      }
    }
    // What the wait does each time it wakes while the balance runs.
    func pollInFlight() {
      if !askedKernel, executor.stops.current == nil, pacer.workloadWantsYield(operation) {
        yieldNow()
      }
      if lastPoll.map({ secondsSince($0) >= executor.pollInterval }) ?? true {
        let now = SuspendingClock.now
        lastPoll = now
        // Pressure and the clock are read at once, progress only from a pollInterval on: the
        // kernel holds its balance mutex while it commits the balance item (and again while it
        // deletes it at the end), and a progress query meanwhile spins on that mutex, on this
        // thread's CPU.
        if (now - started).seconds >= executor.pollInterval,
          let progress = try? target.balanceProgress()
        {
          executor.observe(
            .operationProgress(
              operation, progress, elapsedSeconds: secondsSince(started)))
        }
        requestClockStops()
        if !askedKernel, executor.stops.current == nil,
          pacer.shouldYield(operation, at: executor.now())
        {
          yieldNow()
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
    // The wait ends as soon as the ioctl returns or a stop is requested. Progress and pressure are
    // polled every pollInterval; a protected workload's I/O is looked at more often.
    let lookInterval = pacer.watchesWorkload ? ProtectedWorkload.lookInterval : .infinity
    executor.stops.waking(call.wake) {
      while outcome == nil {
        let untilPoll = lastPoll.map { executor.pollInterval - secondsSince($0) } ?? 0
        outcome = call.wait(seconds: max(0, min(untilPoll, lookInterval)))
        if outcome != nil { break }
        pollInFlight()
      }
    }
    let elapsed = secondsSince(started)
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
      // a chunk allocated later may reuse the address of a removed one).
      let result: OperationResult =
        statistics.completed > 0
        ? .relocated(relocatedBytes: relocating, unallocatedAfter: try unallocatedNow())
        : .skipped(
          reason: "the kernel left it in place (pinned by a swapfile or a scrub, or unmovable)")
      try finishOperation(operation, result, elapsed: elapsed)
      return nil
    case .success(.paused(let statistics)), .success(.cancelled(let statistics)):
      // A one-block-group balance pauses once its block group is done (or before it began); a
      // cancel can land after that too. Either way nothing is left in the kernel to resume at the
      // next mount, and a cancel asked for while the kernel was pausing wins.
      if case .success(.paused) = outcome! { try discardPausedBalance() }
      let request: StopRequest
      switch (outcome!, executor.stops.current) {
      case (_, .cancel(let reason)?): request = .cancel(reason)
      case (.success(.cancelled), let current): request = .cancel(current?.reason ?? .external)
      case (_, let current): request = .pause(current?.reason ?? .external)
      }
      return try stopped(
        request, operation, relocated: statistics.completed > 0, relocating: relocating,
        elapsed: elapsed)
    case .failure(.noSpace):
      try finishOperation(operation, .noSpace, elapsed: elapsed)
      if rule.onNoSpace == .skip { return nil }
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
    /// Done with: the run ends (with this summary) or goes on (`nil`, or again with ``retry``).
    case handled(RunSummary?)
  }

  /// After the run yielded `operation` to pressure: records the block group as relocated when the
  /// kernel finished it, or waits for the machine and sets ``retry``, or ends the run when a stop
  /// came meanwhile.
  private func yielded(
    _ operation: PlannedOperation, _ outcome: Result<BalanceOutcome, BtrfsError>, elapsed: Double,
    relocating: UInt64
  ) throws(ExecutionError) -> YieldHandling {
    if case .cancel? = executor.stops.current { return .asUsual }
    switch outcome {
    case .success(.paused(let statistics)):
      // The kernel paused after the block group in flight, or before it began. A stop request
      // outranks the yield; otherwise nothing is left paused in the kernel for the next mount.
      guard executor.stops.current == nil else { return .asUsual }
      try discardPausedBalance()
      if try isRelocated(operation, statistics.completed > 0) {
        try finishOperation(
          operation,
          .relocated(relocatedBytes: relocating, unallocatedAfter: try unallocatedNow()),
          elapsed: elapsed)
        return .handled(nil)
      }
      if try pacer.waitForMachine(
        before: operation, checkClock: requestClockStops, record: record)
      {
        return .handled(try checkBeforeOperation())
      }
      retry = true
      return .handled(nil)
    case .success(.cancelled(let statistics)) where statistics.completed == 0:
      try record(.operationYielded(index: operation.index, lostSeconds: elapsed))
      executor.observe(.operationYielded(operation, lostSeconds: elapsed))
      if executor.stops.current != nil {
        return .handled(try checkBeforeOperation())
      }
      if try pacer.waitForMachine(
        before: operation, checkClock: requestClockStops, record: record)
      {
        return .handled(try checkBeforeOperation())
      }
      retry = true
      return .handled(nil)
    case .success(.cancelled):
      // The cancel landed after the block group was relocated: the work is done.
      try finishOperation(
        operation,
        .relocated(relocatedBytes: relocating, unallocatedAfter: try unallocatedNow()),
        elapsed: elapsed)
      return .handled(nil)
    default:
      return .asUsual
    }
  }

  /// The hook of ``Executor/predictionCheck``: after `operation` relocated its block group (and
  /// ``finishOperation(_:_:elapsed:)`` journaled how the kernel's result compares with the
  /// prediction), when the two differ by more than one chunk, journals and takes a new plan for the
  /// rest of the run.
  private func checkPrediction(_ operation: PlannedOperation) throws(ExecutionError) {
    guard let check = executor.predictionCheck,
      case .relocated(_, let unallocated)? = tally.results[operation.index]
    else { return }
    let finding = check.compare(operation, realUnallocated: unallocated)
    guard finding.exceedsTolerance, replans < check.maximumReplans else { return }
    replans += 1
    let operations: [PlannedOperation]
    switch Result(catching: { () throws(PredictionCheckError) in
      try check.replan(plan, results: tally.results, on: target)
    })
    {
    case .success(let fresh): operations = fresh
    case .failure(.kernel(let error)): throw .kernel(error)
    // A layout that contradicts itself cannot be planned on: the run goes on with its plan.
    case .failure(.layout): return
    }
    try note([.replanned(operations: operations)])
    plan.replaceRemaining(with: operations, done: Set(tally.results.keys))
  }

  /// Journals how `operation` ended; with a ``Executor/predictionCheck``, a relocation is journaled
  /// with how the kernel's result compares with the prediction, in the same write. Both are
  /// noted, not fsync'd: the next record (the next operation's start, or the run's end) makes them
  /// durable, and should a power loss take them first, the next run finds the operation in flight
  /// and asks the kernel and the block group whether it happened (``carryOn(_:)``).
  private func finishOperation(
    _ operation: PlannedOperation, _ result: OperationResult, elapsed: Double
  ) throws(ExecutionError) {
    let finished = JournalEvent.operationFinished(index: operation.index, result: result)
    if let check = executor.predictionCheck, case .relocated(_, let unallocated) = result {
      let finding = check.compare(operation, realUnallocated: unallocated)
      try note([
        finished,
        .predictionChecked(
          index: operation.index, predictedUnallocated: finding.predictedUnallocated,
          realUnallocated: unallocated),
      ])
    } else {
      try note([finished])
    }
    CrashPoint.afterOperation.reach()
    tally.results[operation.index] = result
    // A carried-on operation's time is not known (0): it says nothing about the next ones.
    if case .relocated(let bytes, _) = result, elapsed > 0 {
      pacer.recordRelocation(bytes: bytes, seconds: elapsed)
    }
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
  private func checkBeforeOperation() throws(ExecutionError) -> RunSummary? {
    requestClockStops()
    if let request = executor.stops.current {
      executor.observe(.stopping(request))
      return try stopped(request, nil, relocated: false)
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

  /// The reason to skip an operation of `rule` because one of its goals already holds on
  /// `devices`.
  private func goalMet(_ rule: Rule, _ devices: [DeviceInfo]) -> String? {
    for goal in rule.until {
      let (holds, reason) = goal.evaluate(
        unallocated: devices.unallocatedBytes, totalBytes: devices.totalBytes)
      if holds { return "goal of rule '\(rule.name)' met: \(reason)" }
    }
    return nil
  }

  // MARK: Ending

  /// Journals the stop `request` and ends the run. `operation` is the one in flight, if any: when
  /// it was `relocated` before the stop, its result is journaled first and nothing stays in flight.
  private func stopped(
    _ request: StopRequest, _ operation: PlannedOperation?, relocated: Bool,
    relocating: UInt64? = nil, elapsed: Double = 0
  ) throws(ExecutionError) -> RunSummary {
    try discardLeftoverBalance()
    var inFlight = operation?.index
    if let operation, relocated {
      try finishOperation(
        operation,
        .relocated(
          relocatedBytes: relocating ?? operation.target.used,
          unallocatedAfter: try unallocatedNow()),
        elapsed: elapsed)
      inFlight = nil
    }
    switch request {
    case .pause(let reason):
      try record(.paused(reason: reason, operation: inFlight))
      return try summary(.paused(reason))
    case .cancel(let reason):
      try record(.cancelled(reason: reason, operation: inFlight))
      return try summary(.cancelled(reason))
    }
  }

  private func summary(_ ending: RunOutcome) throws(ExecutionError) -> RunSummary {
    return tally.summary(
      ending, plan: plan, unallocatedAfter: try unallocatedNow(),
      executorCPUSeconds: ThreadCPUTime.seconds() - cpuAtStart)
  }

  private func finish(_ ending: RunOutcome) throws(ExecutionError) -> RunSummary {
    let summary = try summary(ending)
    try record(.runFinished(summary: summary))
    return summary
  }

  /// The unallocated bytes of the filesystem now, from its devices alone.
  private func unallocatedNow() throws(ExecutionError) -> UInt64 {
    try kernel({ () throws(BtrfsError) in try target.devices() }).unallocatedBytes
  }

  private func record(_ event: JournalEvent) throws(ExecutionError) {
    try record([event])
  }

  private func record(_ events: [JournalEvent]) throws(ExecutionError) {
    do {
      try executor.journal.record(events)
    } catch {
      throw .journal(error)
    }
  }

  /// Journals `events` without waiting for the disk (``Journal/note(_:)``).
  private func note(_ events: [JournalEvent]) throws(ExecutionError) {
    do {
      try executor.journal.note(events)
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
