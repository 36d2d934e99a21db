import Testing

@testable import Steward

@Suite("Policy: the pacing section")
struct PolicyPacingTests {
  /// A valid policy with `pacing` (its keys from line 4 on, indented by two).
  private func policy(_ pacing: String) -> String {
    "version: 1\nname: t\npacing:\n\(pacing)rules:\n  - name: r\n    select: { type: data }\n"
  }

  @Test func readsEveryKey() throws {
    let loaded = try PolicyLoader().load(
      yaml: policy(
        """
          max-io-pressure: 10%
          max-memory-pressure: 5%
          grace-period: 3s
          in-flight-io-pressure: 60%
          on-pressure-in-flight: cancel
          max-busy-share: 50%

        """), file: "t.yaml")
    #expect(
      loaded.pacing
        == Pacing(
          maxIOPressure: 10, maxMemoryPressure: 5, gracePeriod: .seconds(3),
          inFlightIOPressure: 60, yield: .cancel, maxBusyShare: 50))
  }

  @Test func aGracePeriodMayBeShorterThanASecond() throws {
    let loaded = try PolicyLoader().load(
      yaml: policy("  max-io-pressure: 10%\n  grace-period: 250ms\n"), file: "t.yaml")
    #expect(loaded.pacing.gracePeriod == .milliseconds(250))
  }

  @Test func readsTheProtectedCgroup() throws {
    let loaded = try PolicyLoader().load(
      yaml: policy(
        """
          protect-cgroup: /user.slice/user-1000.slice
          protect-quiet-period: 400ms
          on-pressure-in-flight: cancel

        """), file: "t.yaml")
    #expect(
      loaded.pacing
        == Pacing(
          yield: .cancel, protectedCgroup: "/user.slice/user-1000.slice",
          protectedQuietPeriod: .milliseconds(400)))
    #expect(loaded.pacing.gatesOperations && !loaded.pacing.boundsPressure)
    let defaulted = try PolicyLoader().load(
      yaml: policy("  protect-cgroup: /game.slice\n"), file: "t.yaml")
    #expect(defaulted.pacing.protectedQuietPeriod == Pacing.defaultProtectedQuietPeriod)
    #expect(defaulted.pacing.finishesBeforeProtectedIO)
    let unfitted = try PolicyLoader().load(
      yaml: policy("  protect-cgroup: /game.slice\n  protect-finish-before-io: false\n"),
      file: "t.yaml")
    #expect(!unfitted.pacing.finishesBeforeProtectedIO)
    #expect(defaulted.pacing.yield == .pause)
  }

  @Test func withoutPacingARunIsUnpaced() throws {
    let loaded = try PolicyLoader().load(
      yaml: "version: 1\nname: t\nrules:\n  - name: r\n    select: { type: data }\n",
      file: "t.yaml")
    #expect(loaded.pacing == Pacing())
    #expect(!loaded.pacing.boundsPressure)
  }

  @Test(arguments: [
    ("  max-io-pressure: 0%\n", 4, 20, "above 0% and below 100%"),
    ("  max-io-pressure: 100%\n", 4, 20, "above 0% and below 100%"),
    ("  max-io-pressure: 10\n", 4, 20, "expected a percentage like 10%"),
    ("  max-busy-share: 0%\n", 4, 19, "must be above 0%"),
    ("  grace-period: 3s\n", 4, 3, "needs 'max-io-pressure' or 'max-memory-pressure'"),
    ("  max-io-pressure: 10%\n  grace-period: 0s\n", 5, 17, "must be longer than zero"),
    ("  max-io-pressure: 10%\n  grace-period: 0ms\n", 5, 17, "must be longer than zero"),
    ("  max-io-pressure: 10%\n  grace-period: 2.5s\n", 5, 17, "like 250ms, 2s or 1m"),
    (
      "  max-io-pressure: 10%\n  grace-period: 3s\n  in-flight-io-pressure: 5%\n", 6, 26,
      "must be at least 'max-io-pressure'"
    ),
    ("  max-io-pressure: 10%\n  in-flight-io-pressure: 50%\n", 5, 3, "needs 'max-io-pressure' and"),
    (
      "  max-io-pressure: 10%\n  grace-period: 3s\n  on-pressure-in-flight: stop\n", 6, 26,
      "expected one of pause, cancel"
    ),
    ("  max-io-pressure: 10%\n  on-pressure-in-flight: pause\n", 5, 3, "needs 'grace-period'"),
    ("  max-io-presure: 10%\n", 4, 3, "did you mean 'max-io-pressure'?"),
    ("  protect-cgroup: user.slice\n", 4, 19, "expected a cgroup v2 path like /user.slice"),
    ("  protect-cgroup: /\n", 4, 19, "expected a cgroup v2 path like /user.slice"),
    ("  protect-cgroup: /a/../b\n", 4, 19, "without empty, '.' or '..'"),
    ("  protect-cgroup: [/a]\n", 4, 19, "expected a cgroup v2 path like /user.slice"),
    ("  protect-quiet-period: 1s\n", 4, 3, "needs 'protect-cgroup'"),
    ("  protect-finish-before-io: true\n", 4, 3, "needs 'protect-cgroup'"),
    ("  protect-cgroup: /a\n  protect-finish-before-io: 1\n", 5, 29, "expected"),
    (
      "  protect-cgroup: /a\n  protect-quiet-period: 0ms\n", 5, 25,
      "must be longer than zero and at most 1m"
    ),
    (
      "  protect-cgroup: /a\n  protect-quiet-period: 2m\n", 5, 25,
      "must be longer than zero and at most 1m"
    ),
    (
      "  protect-cgroup: /a\n  protect-quiet-period: 0.5s\n", 5, 25,
      "expected a duration like 250ms, 2s or 1m"
    ),
    (
      "  protect-cgroup: /a\n  protect-quiet-period: 90000ms\n", 5, 25,
      "expected whole milliseconds up to 60000ms"
    ),
  ])
  func reportsEachProblemAtItsNode(_ body: String, _ line: Int, _ column: Int, _ message: String) {
    let diagnostics = policyDiagnostics(policy(body))
    #expect(diagnostics.count == 1, "\(diagnostics)")
    #expect(diagnostics.first.map { "\($0.line):\($0.column)" } == "\(line):\(column)")
    #expect(diagnostics.first?.message.contains(message) == true, "\(diagnostics)")
  }
}
