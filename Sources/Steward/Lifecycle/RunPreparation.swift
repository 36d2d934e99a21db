import Btrfs
import Foundation
import Glibc
import SystemPackage

/// Everything a run needs before its first operation: the guards passed, the locks held, the journal
/// read, and the plan to execute — the journaled one when a run is to be carried on, a fresh one
/// otherwise.
public struct PreparedRun: Sendable {
  /// The plan to execute.
  public var plan: Plan
  /// The journaled run it carries on, or `nil` for a new run.
  public var continuing: RunHistory?
  /// The journal of this filesystem.
  public var journalFile: JournalFile
  /// The run id for journal records.
  public var runID: String
  /// What the preparation did that a person should know (a stale plan replaced, …).
  public var notes: [String]
  /// The locks, held until this value is released.
  let locks: [FilesystemLock]
}

/// Checks the guards and decides whether to carry on the journaled run or plan anew.
///
/// The rule for carrying on: the last journaled run is still open (paused, or interrupted by a crash),
/// the policy file is byte for byte the one it was planned from, and the plan is less than
/// ``maximumPlanAge`` old. Otherwise the open run is stale: a paused kernel balance of it is cancelled
/// (the block group stays where it is, nothing is lost), the run is journaled as superseded, and a
/// fresh plan is made from the filesystem as it is now.
public struct RunPreparation: Sendable {
  /// A journaled plan older than this is planned anew.
  public static let maximumPlanAge: TimeInterval = 24 * 3600

  public var policy: Policy
  public var policyDigest: String
  /// The directories, locks, clock and power supply; ``JobEnvironment/wait`` waits for exclusive
  /// operations too.
  public var environment: JobEnvironment

  public init(policy: Policy, policyDigest: String, environment: JobEnvironment) {
    self.policy = policy
    self.policyDigest = policyDigest
    self.environment = environment
  }

  private func now() -> Date { environment.now() }

  /// Everything that can go wrong while preparing.
  public enum Failure: Error, Sendable, CustomStringConvertible {
    case refused(RunRefusal)
    case kernel(BtrfsError)
    case journal(JournalError)
    case layout(LayoutError)

    public var description: String {
      switch self {
      case .refused(let refusal): refusal.description
      case .kernel(let error): error.description
      case .journal(let error): error.description
      case .layout(let error): "\(error)"
      }
    }

    public var exitStatus: ExitStatus {
      switch self {
      case .refused(let refusal): refusal.exitStatus
      case .kernel(let error): ExitStatus(error)
      case .journal(let error): error.exitStatus
      case .layout: .failure
      }
    }
  }

  /// Prepares a run on `target`, the filesystem `fsid`.
  public func prepare(target: any BalanceTarget, fsid: String) throws(Failure) -> PreparedRun {
    let locks = try environment.takeJobLocks(fsid: fsid)
    let journalFile = try journal { () throws(JournalError) in
      try environment.journalFile(fsid: fsid)
    }
    let contents = try journal { () throws(JournalError) in try journalFile.readLastRun() }
    var open = JournalReplay.runs(contents.records).last.flatMap { $0.isOpen ? $0 : nil }
    var layout = try kernel { () throws(BtrfsError) in try target.planningLayout() }
    try checkExclusiveOperation(target: target, ours: open, path: layout.mountpoint ?? fsid)
    // Every refusal comes before anything is changed, the superseding of a stale run included.
    guard policy.isWithinWindow(at: now()) else { throw .refused(.outsideWindow) }
    if policy.conditions.requiresACPower, !environment.isOnMains() { throw .refused(.onBattery) }
    let contradictions = policy.contradictions(totalBytes: layout.totalBytes)
    guard contradictions.isEmpty else { throw .refused(.policyContradicts(contradictions)) }
    let unknown = policy.unknownDevices(devids: layout.devices.map(\.devid))
    guard unknown.isEmpty else { throw .refused(.unknownDevices(unknown)) }
    for rule in policy.rules {
      if let profile = rule.convert,
        let reason = PlanningRun.cannotHold(profile, devices: layout.devices)
      {
        throw .refused(.cannotConvert(rule: rule.name, reason: reason))
      }
    }
    if let floor = policy.conditions.minUnallocated?.bytes(ofTotal: layout.totalBytes),
      layout.unallocatedBytes < floor
    {
      throw .refused(.belowUnallocatedFloor(unallocated: layout.unallocatedBytes, floor: floor))
    }
    var notes: [String] = []
    if let warning = contents.corruptionWarning(path: journalFile.path) { notes.append(warning) }
    if let stale = open, let reason = staleness(of: stale) {
      try supersede(stale, target: target, journalFile: journalFile)
      notes.append("the journaled run from \(stale.startedAt) was planned anew: \(reason)")
      open = nil
      layout = try kernel { () throws(BtrfsError) in try target.planningLayout() }
    }
    if let open {
      return PreparedRun(
        plan: open.plan, continuing: open, journalFile: journalFile, runID: open.id,
        notes: notes, locks: locks)
    }
    try journal { () throws(JournalError) in try journalFile.compact() }
    let plan: Plan
    do {
      plan = try Planner(policy: policy, policyDigest: policyDigest).plan(for: layout, at: now())
    } catch {
      throw .layout(error)
    }
    return PreparedRun(
      plan: plan, continuing: nil, journalFile: journalFile, runID: UUID().uuidString.lowercased(),
      notes: notes, locks: locks)
  }

  /// Why the open run `run` must not be carried on, or `nil` when it may.
  func staleness(of run: RunHistory) -> String? {
    if run.plan.policyDigest != policyDigest { return "the policy changed since it was planned" }
    if now().timeIntervalSince(run.plan.plannedFor) > Self.maximumPlanAge {
      return "its plan is more than 24 hours old"
    }
    return nil
  }

  private func supersede(
    _ run: RunHistory, target: any BalanceTarget, journalFile: JournalFile
  ) throws(Failure) {
    if try kernel({ () throws(BtrfsError) in try target.balanceProgress() }) != nil {
      do {
        try target.cancelBalance()
      } catch .noBalance {
        // It ended between the two calls.
      } catch {
        throw .kernel(error)
      }
    }
    let journal = Journal(file: journalFile, runID: run.id, now: environment.now)
    try self.journal { () throws(JournalError) in
      try journal.record(.cancelled(reason: .superseded, operation: run.inFlight))
    }
  }

  /// Refuses (or waits) while another exclusive operation, or a balance that is not `ours`, holds
  /// the filesystem.
  private func checkExclusiveOperation(
    target: any BalanceTarget, ours: RunHistory?, path: String
  ) throws(Failure) {
    while true {
      let operation = try kernel { () throws(BtrfsError) in try target.exclusiveOperation() }
      if let progress = try kernel({ () throws(BtrfsError) in try target.balanceProgress() }) {
        guard ours?.owns(progress) == true else {
          throw .refused(.foreignBalance(path: path, paused: progress.isPaused))
        }
        return
      }
      if operation == .none || operation.isBalance { return }
      guard environment.wait else { throw .refused(.exclusiveOperation(operation, path: path)) }
      guard !environment.stopWaiting() else {
        throw .refused(
          .stoppedWhileWaiting(waitedFor: "another exclusive operation (\(operation)) on \(path)"))
      }
      // Ends within 20 ms of a stop request.
      for _ in 0..<50 where !environment.stopWaiting() { Thread.sleep(forTimeInterval: 0.02) }
    }
  }

  private func kernel<Value>(_ body: () throws(BtrfsError) -> Value) throws(Failure) -> Value {
    do { return try body() } catch { throw .kernel(error) }
  }

  private func journal<Value>(_ body: () throws(JournalError) -> Value) throws(Failure) -> Value {
    do { return try body() } catch { throw .journal(error) }
  }
}

extension FilesystemLock.Failure {
  var errno: Errno {
    switch self {
    case .held: .resourceTemporarilyUnavailable
    case .unavailable(_, let errno): errno
    }
  }
}
