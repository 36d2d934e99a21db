import Foundation
import Testing

@testable import Steward

@Suite("Pressure: PSI files parsed strictly, read without trusting them")
struct PressureReadingTests {
  static let sample =
    "some avg10=0.12 avg60=4.42 avg300=3.13 total=14251020\n"
    + "full avg10=0.05 avg60=0.68 avg300=100.00 total=3799466\n"

  @Test func readsTheKernelsFormat() throws {
    let stall = try PressureStall(parsing: Self.sample)
    #expect(stall.some.avg10 == 0.12)
    #expect(stall.some.avg60 == 4.42)
    #expect(stall.some.totalMicroseconds == 14_251_020)
    #expect(stall.full?.avg300 == 100)
    #expect(stall.full?.totalMicroseconds == 3_799_466)
  }

  @Test func aSomeLineAloneIsEnough() throws {
    let stall = try PressureStall(parsing: "some avg10=1.00 avg60=0.00 avg300=0.00 total=7\n")
    #expect(stall.full == nil)
    #expect(stall.some.totalMicroseconds == 7)
  }

  @Test(arguments: [
    "",
    "\n",
    "full avg10=0.05 avg60=0.68 avg300=0.62 total=3\nsome avg10=0.12 avg60=4.42 avg300=3.13 total=1\n",
    "some avg10=0.123 avg60=4.42 avg300=3.13 total=1\n",
    "some avg10=100.01 avg60=4.42 avg300=3.13 total=1\n",
    "some avg10=-1.00 avg60=4.42 avg300=3.13 total=1\n",
    "some avg10=1.00 avg60=4.42 avg300=3.13 total=-1\n",
    "some avg10=1.00 avg60=4.42 avg300=3.13 total=1x\n",
    "some avg10=1.00 avg60=4.42 avg300=3.13 total=99999999999999999999999\n",
    "some avg10=1.00 avg60=4.42 avg300=3.13\n",
    "some avg10=1.00 avg60=4.42 avg300=3.13 total=1 extra=2\n",
    "some  avg10=1.00 avg60=4.42 avg300=3.13 total=1\n",
    "some avg60=4.42 avg10=1.00 avg300=3.13 total=1\n",
    "some avg10=1.00 avg60=4.42 avg300=3.13 total=1\nfull avg10=0.05 avg60=0.68 avg300=0.62 total=3\nsome avg10=1.00 avg60=4.42 avg300=3.13 total=1\n",
    "some avg10=1,00 avg60=4.42 avg300=3.13 total=1\n",
    "some avg10=1.00 avg60=4.42 avg300=3.13 total=1\n" + String(repeating: " ", count: 600),
  ])
  func refusesAnythingElse(_ text: String) {
    #expect(throws: PressureError.self) { try PressureStall(parsing: text) }
  }

  @Test func findsTheCgroupV2Path() throws {
    let text = "9:name=systemd:/\n4:memory:/x\n0::/system.slice/btrfs-steward@n.service\n"
    #expect(
      try PressureFiles.cgroupPath(fromMembership: text) == "/system.slice/btrfs-steward@n.service")
    #expect(try PressureFiles.cgroupPath(fromMembership: "0::/\n") == nil)
    #expect(try PressureFiles.cgroupPath(fromMembership: "4:memory:/x\n") == nil)
    #expect(try PressureFiles.cgroupPath(fromMembership: "0::/gone (deleted)\n") == nil)
  }

  @Test(arguments: ["0::relative\n", "0::/a/../b\n", "0::/a//b\n", "0::/a/./b\n", "0::/a\u{1}b\n"])
  func refusesAnUnusableCgroupPath(_ text: String) {
    #expect(throws: PressureError.self) { try PressureFiles.cgroupPath(fromMembership: text) }
  }

  @Test func aTestsPressureFileIsReadWhenTheEnvironmentNamesIt() throws {
    let directory = try TemporaryDirectory("pressure")
    let file = directory.sub("pressure")
    try "40\n".write(toFile: file, atomically: true, encoding: .utf8)
    let gauge = try PressureSource.gauge(
      environment: [InjectedPressureGauge.environmentVariable: file])
    #expect(try gauge.sample() == MachinePressure(io: 40, memory: 0))
    #expect(gauge.freshInterval == 0)
    try "12.5 7".write(toFile: file, atomically: true, encoding: .utf8)
    #expect(try gauge.sample() == MachinePressure(io: 12.5, memory: 7))
    for text in ["", "high", "101", "1 2 3", "-1", String(repeating: "1", count: 80)] {
      try text.write(toFile: file, atomically: true, encoding: .utf8)
      #expect(throws: PressureError.self, "\(text)") { try gauge.sample() }
    }
    #expect(throws: PressureError.self) {
      try PressureSource.gauge(
        environment: [InjectedPressureGauge.environmentVariable: directory.sub("absent")])
    }
  }

  @Test func withoutTheEnvironmentVariableARunReadsPSI() throws {
    try #require(
      FileManager.default.fileExists(atPath: "/proc/pressure/io"),
      "the kernel has PSI (CONFIG_PSI, not booted with psi=0)")
    let gauge = try PressureSource.gauge(environment: [:])
    #expect(gauge is SystemPressureGauge)
    #expect(gauge.freshInterval == SystemPressureGauge.minimumInterval)
  }

  @Test func readsThisMachinesPressure() throws {
    try #require(
      FileManager.default.fileExists(atPath: "/proc/pressure/io"),
      "the kernel has PSI (CONFIG_PSI, not booted with psi=0)")
    let files = try PressureFiles.ofThisProcess()
    let gauge = try SystemPressureGauge(files: files)
    Thread.sleep(forTimeInterval: SystemPressureGauge.minimumInterval + 0.05)
    let pressure = try gauge.sample()
    #expect((0...100).contains(pressure.io))
    #expect((0...100).contains(pressure.memory))
  }

  @Test func refusesAFileThatIsNotTheKernels() throws {
    let directory = try TemporaryDirectory("pressure")
    let file = directory.sub("io")
    try Self.sample.write(toFile: file, atomically: false, encoding: .utf8)
    #expect(throws: PressureError.unreadable(path: file, reason: "not on procfs or cgroupfs")) {
      try PressureFiles.stall(at: file)
    }
    let link = directory.sub("link")
    try FileManager.default.createSymbolicLink(
      atPath: link, withDestinationPath: "/proc/pressure/io")
    #expect(throws: PressureError.self) { try PressureFiles.stall(at: link) }
    let viaLinkedDirectory = directory.sub("proc")
    try FileManager.default.createSymbolicLink(
      atPath: viaLinkedDirectory, withDestinationPath: "/proc/pressure")
    #expect(throws: PressureError.self) { try PressureFiles.stall(at: viaLinkedDirectory + "/io") }
    #expect(throws: PressureError.self) { try PressureFiles.stall(at: "/proc/../proc/pressure/io") }
  }
}

@Suite("Pacing: the gate's bounds, the in-flight watch, the duty cycle")
struct PacingRulesTests {
  @Test func sumsTheOperationsOfAnIOStat() throws {
    let text = """
      8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=3
      253:0 rbytes=0 wbytes=0 rios=10 wios=20 dbytes=0 dios=0 cost.usage=7

      """
    #expect(try CgroupActivity.operations(inIOStat: text) == 36)
    #expect(throws: PressureError.self) { try CgroupActivity.operations(inIOStat: "8:0 rios=x") }
  }

  @Test func readsTheStorageBytesOfAProcess() throws {
    let text = """
      rchar: 999
      wchar: 999
      syscr: 7
      syscw: 8
      read_bytes: 4096
      write_bytes: 8192
      cancelled_write_bytes: 0

      """
    #expect(try CgroupActivity.storageBytes(inProcessIO: text) == 12288)
    #expect(throws: PressureError.self) {
      try CgroupActivity.storageBytes(inProcessIO: "rchar: 1\n")
    }
    #expect(throws: PressureError.self) {
      try CgroupActivity.storageBytes(inProcessIO: "read_bytes: -1\nwrite_bytes: 0\n")
    }
  }

  @Test(arguments: ["relative", "/", "/a/../b", "/a//b", "/a/./b", "/a/", "/a\u{7f}"])
  func refusesAnUnusableCgroupPath(_ path: String) {
    #expect(!CgroupHierarchy.isValidPath(path))
    #expect(throws: PressureError.self) { try CgroupActivity(cgroup: path) }
  }

  @Test func refusesACgroupThatDoesNotExist() {
    #expect(throws: PressureError.self) {
      try CgroupActivity(cgroup: "/btrfs-steward-test-\(UUID().uuidString)")
    }
  }

  @Test func boundsAreInclusive() {
    let pacing = Pacing(maxIOPressure: 20, maxMemoryPressure: 5)
    #expect(pacing.admits(MachinePressure(io: 20, memory: 5)))
    #expect(!pacing.admits(MachinePressure(io: 20.1, memory: 0)))
    #expect(!pacing.admits(MachinePressure(io: 0, memory: 5.1)))
    #expect(Pacing(maxMemoryPressure: 5).admits(MachinePressure(io: 100, memory: 0)))
  }

  @Test func theWatchYieldsOnlyAfterTheGracePeriodWithoutABreak() {
    let start = Date(timeIntervalSince1970: 0)
    var watch = PressureWatch(
      pacing: Pacing(maxIOPressure: 10, gracePeriod: .seconds(3), inFlightIOPressure: 50))
    let high = PressureObservation.measured(MachinePressure(io: 60, memory: 0))
    let low = PressureObservation.measured(MachinePressure(io: 40, memory: 0))
    let notes = [
      watch.note(high, at: start), watch.note(high, at: start + 2),
      watch.note(low, at: start + 2.5), watch.note(high, at: start + 3),
      watch.note(high, at: start + 5.9), watch.note(high, at: start + 6),
    ]
    #expect(notes == [false, false, false, false, false, true])
    let unreadable = PressureObservation.unreadable(.malformed("x"))
    var strict = PressureWatch(pacing: Pacing(maxIOPressure: 10, gracePeriod: .seconds(1)))
    let strictNotes = [strict.note(unreadable, at: start), strict.note(unreadable, at: start + 1)]
    #expect(strictNotes == [false, true])
  }

  @Test func withoutAGracePeriodTheWatchNeverYields() {
    var watch = PressureWatch(pacing: Pacing(maxIOPressure: 10))
    let high = PressureObservation.measured(MachinePressure(io: 90, memory: 0))
    let notes = [
      watch.note(high, at: Date(timeIntervalSince1970: 0)),
      watch.note(high, at: Date(timeIntervalSince1970: 1e6)),
    ]
    #expect(notes == [false, false])
  }

  @Test func theDutyCycleRestsInProportionToTheWork() {
    var cycle = DutyCycle(maxBusyPercent: 25)
    #expect(cycle.rest(afterWallSeconds: 0) == 0)
    cycle.recordOperation(seconds: 2)
    // 2 s busy may be at most 25 % of 8 s: after 2 s of wall time, 6 s of rest.
    #expect(cycle.rest(afterWallSeconds: 2) == 6)
    #expect(cycle.rest(afterWallSeconds: 9) == 0)
    cycle.recordOperation(seconds: 1)
    #expect(cycle.rest(afterWallSeconds: 10) == 2)
    #expect(DutyCycle(maxBusyPercent: 100).rest(afterWallSeconds: 0) == 0)
  }
}

@Suite("Pacing: a costly reading is taken less often")
struct ReadingBudgetTests {
  @Test("a reading of microseconds is taken at every look, one of milliseconds every twentieth")
  func spacesReadingsByTheirCost() {
    let start = SuspendingClock.now
    var budget = ReadingBudget()
    #expect(budget.allowsReading(at: start))
    budget.tookReading(from: start, to: start + .microseconds(20))
    #expect(budget.allowsReading(at: start + .milliseconds(1)))
    // 5 ms of reading: the next one 100 ms after this one began, at most 5 % of the time.
    let later = start + .milliseconds(20)
    budget.tookReading(from: later, to: later + .milliseconds(5))
    #expect(!budget.allowsReading(at: later + .milliseconds(40)))
    #expect(!budget.allowsReading(at: later + .milliseconds(99)))
    #expect(budget.allowsReading(at: later + .milliseconds(100)))
  }
}
