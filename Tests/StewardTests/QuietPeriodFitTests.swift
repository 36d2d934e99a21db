import Foundation
import Synchronization
import Testing

@testable import Steward

/// A protected workload that bursts on the test's clock: each look sees whether it is busy at the
/// clock's time, then moves the clock on by `step`.
final class BurstingActivity: WorkloadActivity {
  let name = "cgroup /foreground"
  private let clock: TestClock
  private let step: Double
  private let busy: @Sendable (Double) -> Bool
  private let start: Date

  /// `busy` takes the seconds since the activity was made.
  init(clock: TestClock, step: Double, busy: @escaping @Sendable (Double) -> Bool) {
    self.clock = clock
    self.step = step
    self.busy = busy
    start = clock.now
  }

  func didIO() throws(PressureError) -> Bool {
    defer { clock.advance(by: step) }
    return busy(clock.now.timeIntervalSince(start))
  }
}

@Suite("Pacing: starting only what fits the protected workload's quiet period")
struct QuietPeriodFitTests {
  @Test("with no quiet period remembered, work may start")
  func nothingKnownStarts() {
    #expect(QuietHistory().likelyQuiet(for: 5, after: 0.3))
  }

  @Test(
    "a quiet period longer than any remembered starts work once it outlasts the longest by the work"
  )
  func outlastingTheLongest() {
    var history = QuietHistory()
    for length in [2.0, 1.98, 2.02] { history.record(length) }
    // Longer than all three (by more than two looks), but a regular workload's period runs long
    // now and then: 2.02 + 0.5 + 0.04 + 0.125 = 2.685.
    #expect(!history.likelyQuiet(for: 0.5, after: 2.1))
    #expect(!history.likelyQuiet(for: 0.5, after: 2.68))
    #expect(history.likelyQuiet(for: 0.5, after: 2.69))
  }

  @Test("a regular workload's quiet periods hold back work that would outlast them")
  func regularWorkload() {
    var history = QuietHistory()
    for length in [2.0, 1.98, 2.02] { history.record(length) }
    #expect(history.likelyQuiet(for: 0.5, after: 0.3))
    // 1.3 + 0.5 + 0.04 + 0.125 = 1.965: two of the three went on that long.
    #expect(history.likelyQuiet(for: 0.5, after: 1.3))
    #expect(!history.likelyQuiet(for: 0.5, after: 1.5))
    #expect(QuietHistory.margin(for: 0.4) == 2 * ProtectedWorkload.lookInterval + 0.1)
  }

  @Test("an irregular workload lets work start when most long-enough quiet periods went on")
  func irregularWorkload() {
    var history = QuietHistory()
    for length in [0.3, 10, 10] { history.record(length) }
    #expect(history.likelyQuiet(for: 1, after: 0.25))
    history.record(0.3)
    history.record(0.3)
    #expect(!history.likelyQuiet(for: 1, after: 0.25))
    // Once quieter than the short ones (by more than two looks), only the long ones compare.
    #expect(!history.likelyQuiet(for: 1, after: 0.33))
    #expect(history.likelyQuiet(for: 1, after: 0.35))
  }

  @Test("only the latest eight quiet periods are remembered")
  func remembersEight() {
    var history = QuietHistory()
    for length in 1...10 { history.record(Double(length)) }
    #expect(history.lengths == (3...10).map(Double.init))
  }

  @Test("the run's block groups so far estimate the next one's time")
  func durations() {
    var durations = BalanceDurations()
    #expect(durations.expectedSeconds(bytes: 1 << 20) == nil)
    durations.record(bytes: 0, seconds: 0.05)
    #expect(durations.expectedSeconds(bytes: 1 << 30) == 0.05)
    durations.record(bytes: 100 << 20, seconds: 0.95)
    // 1 s for 100 MiB: 2 s for 200 MiB, never below the quickest balance.
    #expect(durations.expectedSeconds(bytes: 200 << 20) == 2)
    #expect(durations.expectedSeconds(bytes: 0) == 0.05)
  }

  /// A workload with a quiet period of 0.2 s, watched every 0.125 s on the test's clock (0.125 s
  /// is exact in binary, so the lengths compare exactly), busy at the seconds `busy` says.
  private func watched(
    _ clock: TestClock, fits: Bool = true, busy: @escaping @Sendable (Double) -> Bool
  ) -> ProtectedWorkload {
    ProtectedWorkload(
      activity: BurstingActivity(clock: clock, step: 0.125, busy: busy),
      quietPeriod: .milliseconds(200), fitsQuietPeriods: fits, now: { clock.now })
  }

  /// A workload busy for the first 0.25 s of every 0.75 s (``watched(_:fits:busy:)``).
  private func bursting(_ clock: TestClock, fits: Bool = true) -> ProtectedWorkload {
    watched(clock, fits: fits) { $0.truncatingRemainder(dividingBy: 0.75) < 0.25 }
  }

  @Test("a quiet period is remembered from its last I/O to the last look that saw none")
  func remembersQuietPeriods() {
    let clock = TestClock()
    let workload = bursting(clock)
    // Looks at 0 and 0.125 see I/O, 0.25 to 0.625 none, 0.75 I/O again.
    for _ in 0..<7 { _ = workload.lookInFlight() }
    #expect(workload.quietPeriods.lengths == [0.5])
    // The pauses within a burst (0.75 to 0.875) are not quiet periods.
    for _ in 0..<2 { _ = workload.lookInFlight() }
    #expect(workload.quietPeriods.lengths == [0.5])
  }

  @Test("a quiet period whose end was not watched closely is not remembered")
  func gapsAreNotTimed() {
    let clock = TestClock()
    let workload = bursting(clock)
    // 0, 0.125 busy; 0.25, 0.375, 0.5 quiet: 0.375 s since the last I/O, above the quiet period.
    for _ in 0..<5 { _ = workload.lookInFlight() }
    clock.advance(by: 0.25)  // Nobody looks at 0.625 and 0.75: 0.375 s between two looks.
    _ = workload.lookInFlight()  // 0.875: busy again
    #expect(workload.quietPeriods.lengths.isEmpty)
  }

  @Test("a quiet period whose start was not watched closely is not remembered")
  func startsAreTimedToo() {
    let clock = TestClock()
    let workload = bursting(clock)
    for _ in 0..<7 { _ = workload.lookInFlight() }  // Remembers 0.5 s; 0.75 busy.
    clock.advance(by: 0.75)  // A rest: nobody looks from 0.875 to 1.5.
    // 1.625 busy (its I/O done at any time since 0.75), 1.75 to 2.125 quiet, 2.25 busy.
    for _ in 0..<6 { _ = workload.lookInFlight() }
    #expect(workload.quietPeriods.lengths == [0.5])
  }

  @Test("the first quiet period, whose start was not seen, is not remembered")
  func firstQuietIsNotTimed() {
    let clock = TestClock()
    let workload = watched(clock) { $0 >= 0.5 }
    for _ in 0..<6 { _ = workload.lookInFlight() }
    #expect(workload.quietPeriods.lengths.isEmpty)
  }

  @Test("work that would outlast the remembered quiet periods waits for the workload")
  func dueBack() {
    let clock = TestClock()
    let workload = bursting(clock)
    for _ in 0..<7 { _ = workload.lookInFlight() }  // Remembers 0.5 s; 0.75 busy.
    // 0.875: busy.
    #expect(workload.lookBeforeStart(expectedSeconds: 0.1) == .workloadBusy("cgroup /foreground"))
    // 1.0: quiet for 0.25 s (to the clock's 1.125 after the look); 0.25 + 0.1 + 0.065 ≤ 0.5.
    #expect(workload.lookBeforeStart(expectedSeconds: 0.1) == nil)
    // 1.125 and 1.25: quiet for 0.375 and 0.5 s; 0.375 + 0.165 > 0.5.
    for _ in 0..<2 {
      #expect(
        workload.lookBeforeStart(expectedSeconds: 0.1) == .workloadDueBack("cgroup /foreground"))
    }
    // 1.375: quiet for 0.625 s, longer than the quiet period remembered, not by 0.1 + 0.065.
    #expect(
      workload.lookBeforeStart(expectedSeconds: 0.1) == .workloadDueBack("cgroup /foreground"))
  }

  @Test("without an estimate (no block group relocated yet) nothing holds work back")
  func noEstimate() {
    let clock = TestClock()
    let workload = bursting(clock)
    for _ in 0..<9 { _ = workload.lookInFlight() }  // Remembers 0.5 s; 0.75, 0.875 busy.
    _ = workload.lookBeforeStart(expectedSeconds: nil)  // 1.0: quiet 0.25 s
    // 1.125: quiet 0.375 s, where 0.1 s of work would be held back.
    #expect(workload.lookBeforeStart(expectedSeconds: nil) == nil)
  }

  @Test("work that never fits is held back through two quiet periods, then starts at once")
  func holdsBackTwoQuietPeriodsAtMost() {
    let clock = TestClock()
    let start = clock.now
    let workload = bursting(clock)
    for _ in 0..<7 { _ = workload.lookInFlight() }  // Remembers 0.5 s; 0.75 busy.
    // 1 s of work outlasts every 0.5 s quiet period: held back from 1.0 to 1.375 and from 1.75
    // to 2.125, it starts at 2.5, as soon as the third quiet period is 0.25 s old.
    var heldBack = 0
    while let observation = workload.lookBeforeStart(expectedSeconds: 1) {
      if observation == .workloadDueBack("cgroup /foreground") { heldBack += 1 }
      guard clock.now.timeIntervalSince(start) < 5 else {
        Issue.record("held back without end")
        return
      }
    }
    #expect(heldBack == 8)
    #expect(clock.now.timeIntervalSince(start) == 2.625)  // the look at 2.5, and its step
    // Work that started ends the count: the next quiet period holds it back again.
    let busy = PressureObservation.workloadBusy("cgroup /foreground")
    while workload.lookBeforeStart(expectedSeconds: 1) != busy {}
    var next = workload.lookBeforeStart(expectedSeconds: 1)
    while next == busy { next = workload.lookBeforeStart(expectedSeconds: 1) }
    #expect(next == .workloadDueBack("cgroup /foreground"))
  }

  @Test("a clock stepped back between two looks does not make a quiet workload busy")
  func clockSteppedBack() {
    let clock = TestClock()
    let workload = watched(clock) { $0 >= 0 && $0 < 0.25 }
    for _ in 0..<2 { _ = workload.lookInFlight() }  // 0, 0.125: busy
    #expect(workload.lookBeforeStart() == nil)  // 0.25: quiet, 0.25 s since the last I/O
    clock.advance(by: -600)  // NTP steps the clock back ten minutes.
    // The next look counts on from the last one: still quiet, 0.25 s since the last I/O.
    #expect(workload.lookBeforeStart() == nil)
  }

  @Test("with protect-finish-before-io off, quiet periods are remembered but hold nothing back")
  func fittingOff() {
    let clock = TestClock()
    let workload = bursting(clock, fits: false)
    for _ in 0..<8 { _ = workload.lookInFlight() }
    _ = workload.lookBeforeStart(expectedSeconds: 0.1)
    #expect(workload.quietPeriods.lengths == [0.5])
    #expect(workload.lookBeforeStart(expectedSeconds: 0.1) == nil)
  }

  @Test(
    "the gate a policy makes fits quiet periods as protect-finish-before-io says",
    arguments: [true, false])
  func gateFollowsThePolicy(_ fits: Bool) throws {
    let pacing = Pacing(
      protectedCgroup: "/foreground", protectedQuietPeriod: .milliseconds(200),
      finishesBeforeProtectedIO: fits)
    let gate = PacingGate(
      for: pacing, gauge: nil,
      workload: BurstingActivity(clock: TestClock(), step: 0.125) { _ in false },
      stops: StopRequests())
    #expect(try #require(gate.workload).fitsQuietPeriods == fits)
  }

  @Test("the run's pacer waits while the next block group would outlast the quiet period")
  func pacerWaitsForAFit() throws {
    let clock = TestClock()
    let activity = BurstingActivity(clock: clock, step: 0.125) {
      $0.truncatingRemainder(dividingBy: 0.75) < 0.25
    }
    var policy = ExecutorFixtures.policy()
    policy.pacing = Pacing(protectedCgroup: "/foreground", protectedQuietPeriod: .milliseconds(200))
    let events = Shared<[ExecutionEvent]>([])
    let pacer = RunPacer(
      policy: policy, gauge: nil, workload: activity, stops: StopRequests(),
      now: { clock.now }, sampleInterval: 0.001,
      observe: { event in events.update { $0.append(event) } })
    let workload = try #require(pacer.gate.workload)
    for _ in 0..<8 { _ = workload.lookInFlight() }  // Remembers 0.5 s; 0.75, 0.875 busy.
    #expect(workload.lookBeforeStart(expectedSeconds: nil) == nil)  // 1.0: quiet 0.25 s
    // A block group as large as the next one took 0.1 s; the next one is due at 1.125 with the
    // workload quiet for 0.375 s: it waits out the rest of the quiet period and the burst, and
    // starts once the next quiet period is 0.25 s old (1.75, to the clock's 1.875 after the look).
    let next = try ExecutorFixtures.plan(policy).operations[1]
    pacer.recordRelocation(bytes: next.target.used, seconds: 0.1)
    var records: [JournalEvent] = []
    let stopped = try pacer.waitForMachine(
      before: next, checkClock: {}, record: { records.append($0) })
    #expect(!stopped)
    guard case .waitingForMachine(let observation, let operation)? = events.current.first else {
      Issue.record("no wait: \(events.current)")
      return
    }
    #expect(observation == .workloadDueBack("cgroup /foreground") && operation == next.index)
    guard case .machineCalm(let waited)? = records.last else {
      Issue.record("the wait did not end calm: \(records)")
      return
    }
    #expect(waited == 0.75)
  }
}
