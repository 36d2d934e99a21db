import Btrfs
import Foundation
import Testing

@testable import Steward

/// The journal's own record writer against `JSONEncoder` as the journal used it before (sorted
/// keys, slashes unescaped, ISO-8601 dates): the same bytes for every record type, so that journals
/// written before and after read alike.
@Suite("Journal lines")
struct JournalLineTests {
  typealias X = ExecutorFixtures

  /// How the journal encoded records with `Codable`.
  private static let reference: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    return encoder
  }()

  private static let decoder = JSONCoding.decoder()

  /// A string with every character JSON escapes, a slash, and characters it does not escape.
  static let awkward =
    "a\"b\\c/d\u{7F}é\u{2028}😀\n\r\t\u{8}\u{C}"
    + (0..<0x20).map {
      String(UnicodeScalar(UInt8($0)))
    }.joined()

  /// A plan with every optional member present: a mountpoint, a conversion, predicted devices,
  /// notes.
  static func fullPlan() throws -> Plan {
    var plan = try X.plan()
    plan.mountpoint = "/srv/data \(awkward)"
    plan.notes = ["one", awkward]
    plan.operations[0].convert = .raid1
    plan.outcome.devices = [
      PredictedDevice(
        devid: 1, path: "/dev/vdb", sizeBytes: 1 << 40, unallocatedBeforeBytes: 3,
        unallocatedAfterBytes: 4, unallocatableSoftBeforeBytes: 5, unallocatableSoftAfterBytes: 6)
    ]
    return plan
  }

  /// Balance arguments with every filter member present.
  static let fullArguments = BalanceArguments(
    data: BalanceFilter(
      profiles: [.dup], usage: .range(5...60), devid: 2, physicalRange: 10..<20,
      virtualRange: 30..<31, limit: .count(4), stripes: 1...3, convert: .raid10, soft: true),
    metadata: BalanceFilter(usage: .below(50), limit: .range(1...2)),
    system: BalanceFilter(), force: true)

  static func counters(_ seed: UInt64) -> ScrubCounters {
    var counters = ScrubCounters()
    counters.dataExtents = seed
    counters.treeExtents = seed + 1
    counters.dataBytes = seed + 2
    counters.treeBytes = seed + 3
    counters.readErrors = seed + 4
    counters.checksumErrors = seed + 5
    counters.verifyErrors = seed + 6
    counters.noChecksum = seed + 7
    counters.checksumDiscards = seed + 8
    counters.superErrors = seed + 9
    counters.allocationErrors = seed + 10
    counters.uncorrectableErrors = seed + 11
    counters.correctedErrors = seed + 12
    counters.unverifiedErrors = seed + 13
    counters.lastPhysical = UInt64.max
    return counters
  }

  /// Every kind of event, with optional members present and absent.
  static func events() throws -> [JournalEvent] {
    let plan = try X.plan()
    let full = try fullPlan()
    let summary = RunSummary(
      ending: .completed, relocated: 3, skipped: 1, failed: 0, left: 2, relocatedBytes: 1 << 33,
      unallocatedBefore: 5, unallocatedAfter: 9)
    var paused = summary
    paused.ending = .paused(.windowClosed)
    paused.executorCPUSeconds = 0.010173857000000001
    return [
      .runStarted(plan: plan, policyPath: nil, processID: 42),
      .runStarted(
        plan: full, policyPath: "/etc/btrfs-steward/p.yaml", processID: -1, processStart: 7),
      .runResumed(processID: 43),
      .runResumed(processID: 43, processStart: UInt64.max),
      .operationStarted(index: 1, vaddr: 1 << 40, arguments: plan.operations[0].arguments),
      .operationStarted(index: 2, vaddr: 0, arguments: fullArguments),
      .operationResumed(index: 3),
      .operationFinished(index: 1, result: .relocated(relocatedBytes: 7, unallocatedAfter: 9)),
      .operationFinished(index: 2, result: .skipped(reason: awkward)),
      .operationFinished(index: 3, result: .noSpace),
      .operationFinished(index: 4, result: .failed(message: "Invalid argument")),
      .paused(reason: .signal, operation: nil),
      .paused(reason: .windowClosed, operation: 2),
      .cancelled(reason: .external, operation: nil),
      .cancelled(reason: .superseded, operation: 5),
      .runFinished(summary: summary),
      .runFinished(summary: paused),
      .waitingForMachine(operation: nil, pressure: nil),
      .waitingForMachine(operation: 3, pressure: MachinePressure(io: 12.5, memory: 0)),
      .waitingForMachine(operation: 4, pressure: nil, busyWorkload: "/user.slice"),
      .machineCalm(waitedSeconds: 2),
      .machineCalm(waitedSeconds: 1e-5),
      .operationYielded(index: 2, lostSeconds: 123456789.125),
      .predictionChecked(index: 1, predictedUnallocated: 10, realUnallocated: 11),
      .replanned(operations: []),
      .replanned(operations: full.operations),
      .scrubStarted(devices: [], readOnly: false, policyPath: nil, processID: 1),
      .scrubStarted(devices: [1, 3], readOnly: true, policyPath: "/p", processID: 1),
      .scrubResumed(processID: 9),
      .scrubSpeedLimitSet(devid: 1, original: 0, applied: 100 << 20),
      .scrubSpeedLimitRestored(devid: 1),
      .scrubExtentFinished(devid: 1, physical: 2, chunkVaddr: 3, counters: counters(10)),
      .scrubProgress(devid: 1, physical: 2, counters: ScrubCounters()),
      .scrubPaused(reason: .maxRuntime),
      .scrubCancelled(reason: .onBattery),
      .scrubFinished(totals: [:]),
      .scrubFinished(totals: [4: counters(1)]),
      .deviceStatsRead(devid: 2, stats: DeviceStats(writeErrors: 1, corruptionErrors: 5)),
      .trimFinished(trimmedBytes: 0),
    ]
  }

  /// The case's name; a new case does not compile until it is named here (and given a sample
  /// in ``events()``).
  static func name(_ event: JournalEvent) -> String {
    switch event {
    case .runStarted: "runStarted"
    case .runResumed: "runResumed"
    case .operationStarted: "operationStarted"
    case .operationResumed: "operationResumed"
    case .operationFinished: "operationFinished"
    case .paused: "paused"
    case .cancelled: "cancelled"
    case .runFinished: "runFinished"
    case .waitingForMachine: "waitingForMachine"
    case .machineCalm: "machineCalm"
    case .operationYielded: "operationYielded"
    case .predictionChecked: "predictionChecked"
    case .replanned: "replanned"
    case .scrubStarted: "scrubStarted"
    case .scrubResumed: "scrubResumed"
    case .scrubSpeedLimitSet: "scrubSpeedLimitSet"
    case .scrubSpeedLimitRestored: "scrubSpeedLimitRestored"
    case .scrubExtentFinished: "scrubExtentFinished"
    case .scrubProgress: "scrubProgress"
    case .scrubPaused: "scrubPaused"
    case .scrubCancelled: "scrubCancelled"
    case .scrubFinished: "scrubFinished"
    case .deviceStatsRead: "deviceStatsRead"
    case .trimFinished: "trimFinished"
    }
  }

  @Test("every kind of record is written byte for byte as JSONEncoder wrote it")
  func sameBytes() throws {
    let events = try Self.events()
    #expect(Set(events.map(Self.name)).count == 24)
    for event in events {
      let record = JournalRecord(run: "run \(Self.awkward)", time: X.start, event: event)
      let written = String(decoding: try record.line(), as: UTF8.self)
      let expected = String(decoding: try Self.reference.encode(record), as: UTF8.self)
      #expect(written == expected, "\(Self.name(event))")
      #expect(try Self.decoder.decode(JournalRecord.self, from: Data(written.utf8)) == record)
    }
  }

  @Test("sets and dictionaries, whose order JSONEncoder leaves to hashing, read back the same")
  func unorderedMembers() throws {
    var arguments = Self.fullArguments
    arguments.data?.profiles = Set(Profile.allCases)
    let events: [JournalEvent] = [
      .operationStarted(index: 1, vaddr: 2, arguments: arguments),
      .scrubFinished(totals: [7: Self.counters(1), 2: Self.counters(2), 9: Self.counters(3)]),
    ]
    for event in events {
      let record = JournalRecord(run: "r", time: X.start, event: event)
      let line = try record.line()
      #expect(try Self.decoder.decode(JournalRecord.self, from: Data(line)) == record)
      let expected = try Self.reference.encode(record)
      #expect(line.count == expected.count)
    }
  }

  @Test("times are written to the second, rounded down, as JSONEncoder's ISO 8601 writes them")
  func times() throws {
    let instants: [TimeInterval] = [
      0, 0.999, 1.5, -0.5, -86_400.25, 951_782_400, 1_764_601_105.9999, 4_102_444_800,
      253_402_300_799,
    ]
    for instant in instants {
      let record = JournalRecord(
        run: "r", time: Date(timeIntervalSince1970: instant), event: .scrubResumed(processID: 1))
      let written = String(decoding: try record.line(), as: UTF8.self)
      #expect(written == String(decoding: try Self.reference.encode(record), as: UTF8.self))
    }
  }

  @Test("numbers are written as JSONEncoder writes them; one JSON cannot hold is refused")
  func numbers() throws {
    let values: [Double] = [
      0, -0.0, 2, 0.1, 1e-5, 1e16, 1.5e300, .leastNonzeroMagnitude, -123.456, Double(UInt64.max),
      .pi,
    ]
    for value in values {
      let record = JournalRecord(run: "r", time: X.start, event: .machineCalm(waitedSeconds: value))
      let written = String(decoding: try record.line(), as: UTF8.self)
      #expect(written == String(decoding: try Self.reference.encode(record), as: UTF8.self))
    }
    for value in [Double.nan, .infinity, -.infinity] {
      let record = JournalRecord(run: "r", time: X.start, event: .machineCalm(waitedSeconds: value))
      #expect(throws: JournalError.self) { try record.line() }
      #expect(throws: EncodingError.self) { try Self.reference.encode(record) }
    }
  }
}
