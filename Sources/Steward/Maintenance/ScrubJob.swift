import Btrfs
import Foundation
import Synchronization

/// Scrubs a filesystem's devices one device extent per scrub ioctl, journaling each finished
/// extent with its counters, so that a stopped or killed job resumes at its first unfinished
/// extent and its totals equal those of one uninterrupted scrub. (The kernel always scrubs a
/// device extent from its start, so the extent in flight — at most a chunk's stripe, 1 GiB — is
/// what an interruption costs.) Stop requests (signals, a closing window, battery power) cancel
/// the kernel's scrub and journal a pause; speed limits are applied for the job and restored.
/// Each device extent passes the policy's pacing gate (``PacingGate``) before its ioctl, as a
/// balance run's block groups do: the job waits while the machine is pressed or the protected
/// workload is busy.
public struct ScrubJob: Sendable {
  public var fileSystem: FileSystem
  public var sysfs: SysfsFacts
  public var policy: Policy
  public var policyPath: String?
  public var stops: StopRequests
  public var now: @Sendable () -> Date
  public var isOnMains: @Sendable () -> Bool
  public var observe: @Sendable (ScrubEvent) -> Void
  /// Where the policy's pacing reads the machine (``PacingSources``).
  public var pacingSources: PacingSources
  /// How often the kernel's progress is read (stop requests are noticed within 20 ms).
  public var pollInterval: Double = 0.25

  public init(
    fileSystem: FileSystem, sysfs: SysfsFacts, policy: Policy, policyPath: String?,
    stops: StopRequests, now: @escaping @Sendable () -> Date = { Date() },
    isOnMains: @escaping @Sendable () -> Bool = { PowerSupply.isOnMains() },
    pacingSources: PacingSources = PacingSources(),
    observe: @escaping @Sendable (ScrubEvent) -> Void = { _ in }
  ) {
    self.fileSystem = fileSystem
    self.sysfs = sysfs
    self.policy = policy
    self.policyPath = policyPath
    self.stops = stops
    self.now = now
    self.isOnMains = isOnMains
    self.pacingSources = pacingSources
    self.observe = observe
  }

  /// Runs the prepared job until every device extent is scrubbed or a stop is requested.
  public func run(_ prepared: PreparedScrub) throws(MaintenanceFailure) -> ScrubEnd {
    guard let scrub = policy.scrub else { throw .refused(.notInPolicy(job: "scrub")) }
    let journal = SerialJournal(
      Journal(file: prepared.journalFile, runID: prepared.runID, now: now))
    let continuing = prepared.continuing
    let devices: [UInt64]
    if let continuing {
      devices = continuing.devices
    } else {
      devices = try kernel { () throws(BtrfsError) in try fileSystem.devices().map(\.devid) }
    }
    let chunks = try kernel { () throws(BtrfsError) in try fileSystem.chunks() }
    let oneAtATime =
      scrub.devices == .oneAtATime
      || chunks.contains { $0.flags.profile == .raid5 || $0.flags.profile == .raid6 }
    var extentsLeft: [UInt64: [DeviceExtent]] = [:]
    for devid in devices {
      extentsLeft[devid] = try kernel { () throws(BtrfsError) in
        try fileSystem.deviceExtents(devid: devid)
      }
      .filter { !(continuing?.hasFinished($0) ?? false) }
    }
    let work = extentsLeft
    let tally = ScrubTally(finished: continuing?.finishedExtents ?? [:])
    if continuing == nil {
      try journal.record(
        .scrubStarted(
          devices: devices, readOnly: scrub.readOnly, policyPath: policyPath,
          processID: getpid()))
    } else {
      try journal.record(.scrubResumed(processID: getpid()))
    }
    observe(
      .starting(
        devices: devices, oneAtATime: oneAtATime, resumed: continuing != nil,
        bytesLeft: work.values.joined().reduce(0) { $0 + $1.length }))
    let originals = try applySpeedLimits(scrub.speedLimit, devices: devices, journal: journal)
    let windowed = policy.withWindows(scrub.windows)
    let gate = PacingGate(
      for: policy.pacing, gauge: pacingSources.gauge, workload: pacingSources.workload,
      stops: stops, now: now)
    let scrubDevice: @Sendable (UInt64) -> Void = { devid in
      do throws(MaintenanceFailure) {
        try self.scrub(
          devid: devid, extents: work[devid] ?? [], scrub: scrub, windowed: windowed,
          gate: gate, journal: journal, tally: tally)
      } catch {
        tally.fail(error)
        stops.request(.pause(.external))
      }
    }
    if oneAtATime {
      for devid in devices where stops.current == nil { scrubDevice(devid) }
    } else {
      DispatchQueue.concurrentPerform(iterations: devices.count) { scrubDevice(devices[$0]) }
    }
    let restoreFailure = restoreSpeedLimits(originals, journal: journal)
    if let error = tally.failure ?? restoreFailure { throw error }
    let end: ScrubEnd
    switch stops.current {
    case .pause(let reason):
      observe(.stopping(.pause(reason)))
      try journal.record(.scrubPaused(reason: reason))
      end = .paused(reason)
    case .cancel(let reason):
      observe(.stopping(.cancel(reason)))
      try journal.record(.scrubCancelled(reason: reason))
      end = .cancelled(reason)
    case nil:
      let totals = tally.totals
      try journal.record(.scrubFinished(totals: totals))
      end = .finished(totals: totals)
    }
    observe(.ended(end))
    return end
  }

  /// Scrubs `extents` of device `devid` in order, one ioctl each, until done or stopped; each
  /// extent first passes `gate`.
  private func scrub(
    devid: UInt64, extents: [DeviceExtent], scrub: ScrubPolicy, windowed: Policy,
    gate: PacingGate, journal: SerialJournal, tally: ScrubTally
  ) throws(MaintenanceFailure) {
    let total = extents.reduce(0) { $0 + $1.length }
    var done: UInt64 = 0
    var verified: UInt64 = 0
    let started = now()
    for extent in extents {
      requestClockStops(windowed)
      guard stops.current == nil else { return }
      let outcome = gate.waitUntilCalm(
        checkClock: { requestClockStops(windowed) },
        onBusy: { observe(.waitingForMachine(devid: devid, $0)) })
      switch outcome {
      case .stopped: return
      case .calm(let waited):
        if waited > 0 { observe(.machineCalm(devid: devid, waitedSeconds: waited)) }
      }
      if let limit = scrub.speedLimit {
        // The kernel's throttle starts afresh with every ioctl, so a burst at the start of each
        // extent adds up; waiting here keeps the device's average at the limit.
        let ahead = Double(verified) / Double(limit) - now().timeIntervalSince(started)
        if ahead > 0, stops.wait(seconds: ahead) != nil { return }
      }
      let readOnly = scrub.readOnly
      let call = KernelCall { () throws(BtrfsError) in
        try fileSystem.scrub(
          devid: devid, physicalRange: extent.physical..<(extent.physical + 1), readOnly: readOnly)
      }
      var lastPoll = now()
      var lastJournaled = now()
      var result: Result<ScrubOutcome, BtrfsError>?
      // What the wait does each time it wakes while the scrub runs.
      func pollScrub() throws(MaintenanceFailure) {
        requestClockStops(windowed)
        if stops.current != nil {
          // Every 20 ms until the ioctl returns: the kernel may not have registered the scrub yet.
          try? fileSystem.cancelScrub()
          return
        }
        let instant = now()
        guard instant.timeIntervalSince(lastPoll) >= pollInterval else { return }
        lastPoll = instant
        guard let counters = try? fileSystem.scrubProgress(devid: devid) else { return }
        let position = min(
          counters.lastPhysical > extent.physical ? counters.lastPhysical - extent.physical : 0,
          extent.length)
        let elapsed = instant.timeIntervalSince(started)
        let rate = elapsed > 0 ? Double(done + position) / elapsed : nil
        let left = total - done - position
        observe(
          .progress(
            devid: devid, bytesDone: done + position, bytesLeft: left, bytesPerSecond: rate,
            secondsLeft: rate.flatMap { $0 > 0 ? Double(left) / $0 : nil }))
        if instant.timeIntervalSince(lastJournaled) >= scrub.progressInterval.seconds {
          lastJournaled = instant
          try journal.record(
            .scrubProgress(devid: devid, physical: extent.physical, counters: counters))
        }
      }
      // The wait ends as soon as the ioctl returns or a stop is requested; progress and the
      // clock are looked at every pollInterval.
      try stops.waking(call.wake) { () throws(MaintenanceFailure) in
        while result == nil {
          let stopping = stops.current != nil
          let untilPoll = pollInterval - now().timeIntervalSince(lastPoll)
          result = call.wait(seconds: stopping ? 0.02 : max(0, untilPoll))
          if result != nil { break }
          try pollScrub()
        }
      }
      switch result! {
      case .success(.finished(let counters)):
        try journal.record(
          .scrubExtentFinished(
            devid: devid, physical: extent.physical, chunkVaddr: extent.chunkVaddr,
            counters: counters))
        tally.add(
          FinishedExtent(chunkVaddr: extent.chunkVaddr, counters: counters), of: extent)
        done += extent.length
        verified += counters.bytesScrubbed
        observe(.extentFinished(extent, counters))
      case .success(.cancelled):
        // Not asked for here: someone ran `btrfs scrub cancel`. The job pauses, resumable.
        if stops.current == nil { stops.request(.pause(.external)) }
        return
      case .failure(let error):
        throw .kernel(error)
      }
    }
  }

  /// Turns a closed window and battery power into stop requests, as balance runs do.
  private func requestClockStops(_ windowed: Policy) {
    if !windowed.isWithinWindow(at: now()) { stops.request(.pause(.windowClosed)) }
    if policy.conditions.requiresACPower, !isOnMains() { stops.request(.pause(.onBattery)) }
  }

  /// Sets every device's speed limit to `limit`, journaling the original first; returns the
  /// originals to restore.
  private func applySpeedLimits(
    _ limit: UInt64?, devices: [UInt64], journal: SerialJournal
  ) throws(MaintenanceFailure) -> [UInt64: UInt64] {
    guard let limit else { return [:] }
    var originals: [UInt64: UInt64] = [:]
    for devid in devices {
      guard let original = sysfs.scrubSpeedLimit(devid: devid) else { continue }
      try journal.record(.scrubSpeedLimitSet(devid: devid, original: original, applied: limit))
      originals[devid] = original
      try kernel { () throws(BtrfsError) in
        try sysfs.setScrubSpeedLimit(devid: devid, bytesPerSecond: limit)
      }
      observe(.speedLimitApplied(devid: devid, original: original, applied: limit))
    }
    return originals
  }

  /// Restores the speed limits in `originals`, journaling each; the first failure, if any (every
  /// device is tried).
  private func restoreSpeedLimits(_ originals: [UInt64: UInt64], journal: SerialJournal)
    -> MaintenanceFailure?
  {
    var failure: MaintenanceFailure?
    for (devid, original) in originals.sorted(by: { $0.key < $1.key }) {
      do throws(MaintenanceFailure) {
        try kernel { () throws(BtrfsError) in
          try sysfs.setScrubSpeedLimit(devid: devid, bytesPerSecond: original)
        }
        try journal.record(.scrubSpeedLimitRestored(devid: devid))
        observe(.speedLimitRestored(devid: devid, value: original))
      } catch {
        failure = failure ?? error
      }
    }
    return failure
  }
}

/// A job's journal shared by the threads of its devices: one append at a time.
final class SerialJournal: Sendable {
  private let journal: Mutex<Journal>

  init(_ journal: Journal) { self.journal = Mutex(journal) }

  func record(_ event: JournalEvent) throws(MaintenanceFailure) {
    let failure: JournalError? = journal.withLock { journal in
      do throws(JournalError) {
        try journal.record(event)
        return nil
      } catch {
        return error
      }
    }
    if let failure { throw .journal(failure) }
  }
}

/// What a job's device threads share: the finished extents (the journaled ones included) and the
/// first failure.
final class ScrubTally: Sendable {
  private let state:
    Mutex<(finished: [UInt64: [UInt64: FinishedExtent]], failure: MaintenanceFailure?)>

  init(finished: [UInt64: [UInt64: FinishedExtent]]) {
    state = Mutex((finished, nil))
  }

  /// Records a finished extent.
  func add(_ finished: FinishedExtent, of extent: DeviceExtent) {
    state.withLock { $0.finished[extent.devid, default: [:]][extent.physical] = finished }
  }

  /// Records a failure; the first one is kept.
  func fail(_ error: MaintenanceFailure) {
    state.withLock { $0.failure = $0.failure ?? error }
  }

  /// The first failure, if any.
  var failure: MaintenanceFailure? { state.withLock { $0.failure } }

  /// The sum of each device's finished extents' counters, in physical order.
  var totals: [UInt64: ScrubCounters] {
    state.withLock { state in
      state.finished.mapValues { byPhysical in
        byPhysical.sorted { $0.key < $1.key }.reduce(ScrubCounters()) {
          $0.adding($1.value.counters)
        }
      }
    }
  }
}
