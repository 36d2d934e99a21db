import Foundation
import Testing

@testable import Steward

@Suite("Run outcome")
struct RunOutcomeTests {
  static let every: [RunOutcome] = [
    .completed, .goalReached, .limitReached, .noSpace, .failed, .paused(.windowClosed),
    .cancelled(.signal),
  ]

  static func summary(_ ending: RunOutcome) -> RunSummary {
    RunSummary(
      ending: ending, relocated: 2, skipped: 1, failed: 0, left: 3, relocatedBytes: 1 << 20,
      unallocatedBefore: 1 << 30, unallocatedAfter: 2 << 30)
  }

  @Test("each outcome's label names it again, and its exit status is the documented one")
  func labelsAndExitStatuses() {
    for outcome in Self.every {
      #expect(RunOutcome.labels.contains(outcome.label))
      #expect(RunOutcome(label: outcome.label, reason: outcome.stopReason) == outcome)
    }
    #expect(Set(Self.every.map(\.label)) == Set(RunOutcome.labels))
    #expect(
      Self.every.map(\.exitStatus) == [
        .success, .success, .success, .noSpace, .failure, .paused, .cancelled,
      ])
    #expect(RunOutcome(label: "paused", reason: nil) == nil, "a stop names its reason")
    #expect(RunOutcome(label: "running", reason: nil) == nil)
  }

  @Test("the journal's summary keeps its spelling: ending as before; a stop adds its reason")
  func summarySpelling() throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    for outcome in Self.every {
      let text = String(decoding: try encoder.encode(Self.summary(outcome)), as: UTF8.self)
      #expect(text.contains(#""ending":"\#(outcome.label)""#), "\(text)")
      #expect(text.contains(#""reason":"#) == (outcome.stopReason != nil), "\(text)")
      #expect(
        try JSONDecoder().decode(RunSummary.self, from: Data(text.utf8)) == Self.summary(outcome))
    }
    #expect(
      String(decoding: try encoder.encode(Self.summary(.paused(.windowClosed))), as: UTF8.self)
        .contains(#""reason":"window-closed""#))
    // A runFinished summary as journals written before RunOutcome hold it.
    let old = #"""
      {"ending":"goal-reached","executorCPUSeconds":0.5,"failed":0,"left":3,"relocated":2,
       "relocatedBytes":1048576,"skipped":1,"unallocatedAfter":2147483648,
       "unallocatedBefore":1073741824}
      """#
    var expected = Self.summary(.goalReached)
    expected.executorCPUSeconds = 0.5
    #expect(try JSONDecoder().decode(RunSummary.self, from: Data(old.utf8)) == expected)
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(
        RunSummary.self,
        from: Data(old.replacingOccurrences(of: "goal-reached", with: "paused").utf8))
    }
  }

  @Test("the metrics outcome labels are the ones the metrics file has always listed, in order")
  func metricsLabels() {
    #expect(
      MetricsSnapshot.Outcome.labels == [
        "completed", "goal-reached", "limit-reached", "no-space", "cancelled", "failed", "paused",
        "nothing-to-do", "refused-not-root", "refused-exclusive-operation",
        "refused-foreign-balance", "refused-locked", "refused-on-battery",
        "refused-policy-contradiction", "refused-cannot-convert", "refused-unknown-device",
        "refused-below-unallocated-floor", "refused-outside-window",
        "refused-stopped-while-waiting", "error",
      ])
    let refusals: [RunRefusal] = [
      .notRoot, .exclusiveOperation(.balance, path: "/"), .foreignBalance(path: "/", paused: false),
      .lockedBySteward(lockFile: "l"), .lockedByBtrfsMaintenance(lockFile: "m"), .onBattery,
      .policyContradicts([]), .cannotConvert(rule: "r", reason: "x"), .unknownDevices([]),
      .belowUnallocatedFloor(unallocated: 1, floor: 2), .outsideWindow,
      .stoppedWhileWaiting(waitedFor: "w"),
    ]
    for refusal in refusals {
      #expect(
        MetricsSnapshot.Outcome.labels.contains(MetricsSnapshot.Outcome.refused(refusal).label))
    }
    for outcome in Self.every {
      #expect(MetricsSnapshot.Outcome.ran(Self.summary(outcome)).label == outcome.label)
    }
  }
}
