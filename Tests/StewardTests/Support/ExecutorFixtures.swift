import Btrfs
import Foundation
import Glibc
import Synchronization
import Testing

@testable import Steward

/// Layouts, policies and plans shared by the executor, journal and run-preparation tests. Sizes are
/// in MiB, as in ``SimulationFixtures``.
enum ExecutorFixtures {
  typealias F = SimulationFixtures
  static let mib = SimulationFixtures.mib
  /// Wednesday 2025-01-01 00:30:00 UTC: whole seconds, so dates survive the journal's ISO 8601.
  static let start = Date(timeIntervalSince1970: 1_735_689_600 + 1800)
  static let utc = TimeZone(identifier: "UTC")!
  static let digest = PolicyDigest.of(Array("test policy".utf8))
  static let fsid = "00000000-0000-4000-8000-000000000001"

  /// Used MiB of the ten 1 GiB data block groups of ``standardLayout()``, in address order.
  static let usages: [UInt64] = [300, 50, 700, 120, 10, 900, 200, 80, 450, 30]

  /// A "sink" first (8 GiB, 51 % used, so the usual rule does not select it, and lowest in address,
  /// so every relocated byte lands in it and no other block group's usage changes), then ten 1 GiB
  /// data block groups of ``usages``, and 1 GiB unallocated.
  static func standardLayout() -> Layout {
    F.layout([.data(4200, of: 8192)] + usages.map { .data($0) }, unallocated: 1024)
  }

  /// The used MiB of the block groups the usual rule plans on the standard layout, in plan order
  /// (below 50 %, least used first).
  static var standardPlanUsages: [UInt64] { usages.filter { $0 < 512 }.sorted() }

  /// The usual rule: data block groups below 50 %, least used first.
  static func compactRule(
    select: Selection = Selection(type: .data, usageBelow: 50), order: Order = .leastUsedFirst,
    until: [Goal] = [], onNoSpace: NoSpaceAction = .stop
  ) -> Rule {
    Rule(name: "compact", select: select, order: order, until: until, onNoSpace: onNoSpace)
  }

  static func policy(
    rules: [Rule] = [compactRule()], windows: [TimeWindow] = [],
    conditions: Conditions = Conditions(), limits: Limits = Limits()
  ) -> Policy {
    Policy(
      name: "test", windows: windows, timeZone: utc, conditions: conditions, limits: limits,
      rules: rules)
  }

  /// A window open every day from `start` to `end` (hours, UTC).
  static func dailyWindow(_ start: Int, _ end: Int) -> TimeWindow {
    TimeWindow(
      days: Set(Weekday.allCases), start: TimeOfDay(hour: start, minute: 0),
      end: TimeOfDay(hour: end, minute: 0))
  }

  /// The plan `policy` gives for `layout` at `instant`.
  static func plan(
    _ policy: Policy = policy(), for layout: Layout = standardLayout(), at instant: Date = start,
    digest: String = digest
  ) throws -> Plan {
    try Planner(policy: policy, policyDigest: digest).plan(for: layout, at: instant)
  }
}

/// A directory under the system's temporary directory, removed when the value goes away.
final class TemporaryDirectory: Sendable {
  let path: String

  init(_ label: String = "unit") throws {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("steward-\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    path = url.path
  }

  func sub(_ name: String) -> String { path + "/" + name }

  deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// An injectable clock.
final class TestClock: Sendable {
  private let date: Mutex<Date>

  init(_ date: Date = ExecutorFixtures.start) { self.date = Mutex(date) }

  var now: Date { date.withLock { $0 } }
  func set(_ new: Date) { date.withLock { $0 = new } }
  func advance(by seconds: TimeInterval) { date.withLock { $0 += seconds } }
}

/// A thread-safe value: a flag the power supply reads, a counter, a list of events.
final class Shared<Value: Sendable>: Sendable {
  private let value: Mutex<Value>

  init(_ value: Value) { self.value = Mutex(value) }

  var current: Value { value.withLock { $0 } }
  func set(_ new: Value) { value.withLock { $0 = new } }
  func update<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
    value.withLock { body(&$0) }
  }
}

/// The simulator's `willRelocate` hook, settable after the simulator is made: it counts relocations
/// and calls the test's action with the 1-based count and the block group about to move.
final class RelocationHook: Sendable {
  private let action = Mutex<(@Sendable (Int, BlockGroup) -> Void)?>(nil)
  private let counter = Mutex(0)

  var count: Int { counter.withLock { $0 } }

  /// Calls `body` before each further relocation (replacing any earlier action).
  func set(_ body: (@Sendable (_ count: Int, _ group: BlockGroup) -> Void)?) {
    action.withLock { $0 = body }
  }

  func callAsFunction(_ group: BlockGroup) {
    let count = counter.withLock {
      $0 += 1
      return $0
    }
    action.withLock { $0 }?(count, group)
  }
}

/// One simulated filesystem with its journal, clock and power supply, and an executor over them.
final class ExecutorHarness {
  let directory: TemporaryDirectory
  let layout: Layout
  let hook = RelocationHook()
  let filesystem: SimulatedFilesystem
  let clock = TestClock()
  let onMains = Shared(true)
  let events = Shared<[ExecutionEvent]>([])
  let journalFile: JournalFile
  let runID = "run-1"

  init(
    layout: Layout = ExecutorFixtures.standardLayout(), cancelsWithinBlockGroup: Bool = false
  ) throws {
    directory = try TemporaryDirectory("executor")
    self.layout = layout
    let hook = self.hook
    filesystem = try SimulatedFilesystem(
      layout: layout, willRelocate: { hook($0) },
      cancelsWithinBlockGroup: cancelsWithinBlockGroup)
    journalFile = try JournalFile(stateDirectory: directory.sub("state"), fsid: layout.fsid)
  }

  /// What a `willRelocate` action may touch: it runs on the balancing thread.
  struct Parts: Sendable {
    let stops: StopRequests
    let clock: TestClock
    let onMains: Shared<Bool>
  }

  func parts(stops: StopRequests) -> Parts {
    Parts(stops: stops, clock: clock, onMains: onMains)
  }

  var journal: Journal {
    let clock = clock
    return Journal(file: journalFile, runID: runID, now: { clock.now })
  }

  func executor(
    _ policy: Policy, stops: StopRequests, pressure: (any PressureGauge)? = nil,
    workload: (any WorkloadActivity)? = nil, predictionCheck: PredictionCheck? = nil
  ) -> Executor {
    let clock = clock
    let onMains = onMains
    let events = events
    return Executor(
      target: filesystem, policy: policy, journal: journal, stops: stops, now: { clock.now },
      isOnMains: { onMains.current }, pollInterval: 0.01,
      observe: { event in events.update { $0.append(event) } }, pressure: pressure,
      workload: workload, predictionCheck: predictionCheck)
  }

  /// Runs `plan` under `policy` (a new run when `continuing` is nil).
  func execute(
    _ plan: Plan, _ policy: Policy, stops: StopRequests = StopRequests(),
    continuing: RunHistory? = nil, pressure: (any PressureGauge)? = nil,
    workload: (any WorkloadActivity)? = nil, predictionCheck: PredictionCheck? = nil
  ) throws -> RunSummary {
    try executor(
      policy, stops: stops, pressure: pressure, workload: workload,
      predictionCheck: predictionCheck
    )
    .execute(plan, policyPath: "/etc/test.yaml", continuing: continuing)
  }

  func records() throws -> [JournalRecord] {
    let reread = try journalFile.read()
    let (records, ignored) = (reread.records, reread.ignoredLines)
    #expect(ignored == 0)
    return records
  }

  /// The journal's last run, as the next process would read it.
  func lastRun() throws -> RunHistory {
    try #require(JournalReplay.runs(try records()).last)
  }

  /// How often each operation index was journaled as started, and as finished.
  func startsAndFinishes() throws -> (started: [Int: Int], finished: [Int: Int]) {
    var started: [Int: Int] = [:]
    var finished: [Int: Int] = [:]
    for record in try records() {
      switch record.event {
      case .operationStarted(let index, _, _): started[index, default: 0] += 1
      case .operationFinished(let index, _): finished[index, default: 0] += 1
      default: break
      }
    }
    return (started, finished)
  }

  /// The journaled result of each operation, by index.
  func results() throws -> [Int: OperationResult] {
    var results: [Int: OperationResult] = [:]
    for record in try records() {
      if case .operationFinished(let index, let result) = record.event { results[index] = result }
    }
    return results
  }

  /// Whether the block group of `operation` still exists in the simulator.
  func exists(_ operation: PlannedOperation) -> Bool {
    filesystem.currentLayout.blockGroup(at: operation.target.vaddr) != nil
  }

  /// Leaves a balance with `arguments` paused in the simulator after its first block group, as
  /// `btrfs balance pause` during that block group would (even when it is the only one).
  func leavePausedBalance(_ arguments: BalanceArguments) throws {
    let entered = DispatchSemaphore(value: 0)
    let proceed = DispatchSemaphore(value: 0)
    let ended = DispatchSemaphore(value: 0)
    hook.set { count, _ in
      if count == 1 {
        entered.signal()
        _ = proceed.wait(timeout: .now() + 5)
      }
    }
    defer { hook.set(nil) }
    let filesystem = filesystem
    Thread.detachNewThread {
      _ = try? filesystem.startBalance(arguments)
      ended.signal()
    }
    try #require(entered.wait(timeout: .now() + 5) == .success)
    Thread.detachNewThread { try? filesystem.pauseBalance() }
    let deadline = Date() + 5
    while try filesystem.balanceProgress()?.isPauseRequested != true, Date() < deadline {
      Thread.sleep(forTimeInterval: 0.001)
    }
    proceed.signal()
    try #require(ended.wait(timeout: .now() + 5) == .success)
    try #require(try filesystem.balanceProgress()?.isPaused == true)
  }
}

/// Asks for `request` from a thread of its own and returns once it is the current request: a cancel
/// runs the executor's cancel action on the requesting thread, which must not be the balancing one.
func requestFromAnotherThread(_ stops: StopRequests, _ request: StopRequest) {
  Thread.detachNewThread { stops.request(request) }
  let deadline = Date() + 5
  while stops.current != request, Date() < deadline {
    Thread.sleep(forTimeInterval: 0.001)
  }
}

/// Calls `action` on a thread of its own once `condition` holds (checked every millisecond, for at
/// most 5 seconds).
func once(_ condition: @escaping @Sendable () -> Bool, _ action: @escaping @Sendable () -> Void) {
  Thread.detachNewThread {
    let deadline = Date() + 5
    while !condition(), Date() < deadline { Thread.sleep(forTimeInterval: 0.001) }
    action()
  }
}

extension ExecutorHarness {
  /// Whether the run has waited for the machine before operation `operation` at least `count`
  /// times, as a condition for ``once(_:_:)``.
  func waits(for operation: Int, count: Int = 1) -> @Sendable () -> Bool {
    let events = self.events
    return { events.current.filter { $0.tag == "waiting \(operation)" }.count >= count }
  }
}

extension ExecutionEvent {
  /// A short text for comparing event sequences; `nil` for progress polls, whose number depends on
  /// timing.
  var tag: String? {
    switch self {
    case .runStarting(_, let carriedOn, let done):
      "run starting carriedOn=\(carriedOn) done=\(done)"
    case .operationStarting(let operation, let position, let total, let resumed):
      "start \(operation.index) \(position)/\(total)\(resumed ? " resumed" : "")"
    case .operationProgress: nil
    case .operationFinished(let operation, let result, _):
      "finish \(operation.index) \(result.kind)"
    case .stopping(let request): "stopping \(request.kind)"
    case .runEnded(let end): "run ended \(end.kind)"
    case .waitingForMachine(_, let operation): "waiting \(operation.map(String.init) ?? "-")"
    case .machineCalm: "calm"
    case .yielding(let operation, let action, _): "yielding \(operation.index) \(action.rawValue)"
    case .operationYielded(let operation, _): "yielded \(operation.index)"
    case .resting: "resting"
    }
  }
}

extension OperationResult {
  var kind: String {
    switch self {
    case .relocated: "relocated"
    case .skipped: "skipped"
    case .noSpace: "noSpace"
    case .failed: "failed"
    }
  }

  var skipReason: String? {
    if case .skipped(let reason) = self { return reason }
    return nil
  }
}

extension StopRequest {
  var kind: String {
    switch self {
    case .pause(let reason): "pause \(reason.rawValue)"
    case .cancel(let reason): "cancel \(reason.rawValue)"
    }
  }
}

extension RunSummary {
  var kind: String {
    switch ending {
    case .paused(let reason): "paused \(reason.rawValue)"
    case .cancelled(let reason): "cancelled \(reason.rawValue)"
    case let finished: "finished \(finished.label)"
    }
  }
}

extension JournalEvent {
  /// The event's case name, for comparing record sequences.
  var name: String {
    switch self {
    case .runStarted: "runStarted"
    case .runResumed: "runResumed"
    case .operationStarted(let index, _, _): "operationStarted \(index)"
    case .operationResumed(let index): "operationResumed \(index)"
    case .operationFinished(let index, let result): "operationFinished \(index) \(result.kind)"
    case .paused(let reason, let operation):
      "paused \(reason.rawValue) \(operation.map(String.init) ?? "-")"
    case .cancelled(let reason, let operation):
      "cancelled \(reason.rawValue) \(operation.map(String.init) ?? "-")"
    case .runFinished(let summary): "runFinished \(summary.ending.label)"
    case .waitingForMachine(let operation, _, _):
      "waitingForMachine \(operation.map(String.init) ?? "-")"
    case .machineCalm: "machineCalm"
    case .operationYielded(let index, _): "operationYielded \(index)"
    case .predictionChecked(let index, _, _): "predictionChecked \(index)"
    case .replanned(let operations): "replanned \(operations.count)"
    case .scrubStarted: "scrubStarted"
    case .scrubResumed: "scrubResumed"
    case .scrubSpeedLimitSet(let devid, _, _): "scrubSpeedLimitSet \(devid)"
    case .scrubSpeedLimitRestored(let devid): "scrubSpeedLimitRestored \(devid)"
    case .scrubExtentFinished(let devid, let physical, _, _):
      "scrubExtentFinished \(devid) \(physical)"
    case .scrubProgress(let devid, let physical, _): "scrubProgress \(devid) \(physical)"
    case .scrubPaused(let reason): "scrubPaused \(reason.rawValue)"
    case .scrubCancelled(let reason): "scrubCancelled \(reason.rawValue)"
    case .scrubFinished: "scrubFinished"
    case .deviceStatsRead(let devid, _): "deviceStatsRead \(devid)"
    case .trimFinished: "trimFinished"
    }
  }
}

/// The permission bits of `path` (not following a symbolic link).
func permissions(_ path: String) -> mode_t? {
  var status = stat()
  guard lstat(path, &status) == 0 else { return nil }
  return status.st_mode & 0o7777
}
