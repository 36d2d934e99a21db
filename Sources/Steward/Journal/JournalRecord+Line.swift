import Btrfs
import Foundation

/// How a record is written to the journal: the JSON its `Codable` conformance reads back, written
/// by ``JournalLineWriter`` (see there why not by `JSONEncoder`). Each type's members are written in
/// the order of their keys' bytes; sets and dictionaries (whose order `JSONEncoder` leaves to
/// hashing) in ascending order.
extension JournalRecord {
  /// The record's line, without its newline.
  ///
  /// - Throws: ``JournalError/unencodable(reason:)`` for a number JSON cannot hold.
  func line() throws(JournalError) -> [UInt8] {
    var writer = JournalLineWriter()
    writer.object {
      $0.key("event", object: event.write)
      $0.key("run", run)
      $0.key("time", time)
    }
    if let failure = writer.failure { throw .unencodable(reason: failure) }
    return writer.bytes
  }
}

extension JournalEvent {
  /// The event as `{"case":{members}}`, as synthesized `Codable` writes an enum with associated
  /// values.
  fileprivate func write(to json: inout JournalLineWriter) {
    switch self {
    case .runStarted(let plan, let policyPath, let processID, let processStart):
      json.key("runStarted") {
        $0.key("plan", object: plan.write)
        $0.key("policyPath", policyPath)
        $0.key("processID", processID)
        $0.key("processStart", processStart)
      }
    case .runResumed(let processID, let processStart):
      json.key("runResumed") {
        $0.key("processID", processID)
        $0.key("processStart", processStart)
      }
    case .operationStarted(let index, let vaddr, let arguments):
      json.key("operationStarted") {
        $0.key("arguments", object: arguments.write)
        $0.key("index", index)
        $0.key("vaddr", vaddr)
      }
    case .operationResumed(let index):
      json.key("operationResumed") { $0.key("index", index) }
    case .operationFinished(let index, let result):
      json.key("operationFinished") {
        $0.key("index", index)
        $0.key("result", object: result.write)
      }
    case .paused(let reason, let operation):
      json.key("paused") {
        $0.key("operation", operation)
        $0.key("reason", reason.rawValue)
      }
    case .cancelled(let reason, let operation):
      json.key("cancelled") {
        $0.key("operation", operation)
        $0.key("reason", reason.rawValue)
      }
    case .runFinished(let summary):
      json.key("runFinished") { $0.key("summary", object: summary.write) }
    case .waitingForMachine(let operation, let pressure, let busyWorkload):
      json.key("waitingForMachine") {
        $0.key("busyWorkload", busyWorkload)
        $0.key("operation", operation)
        if let pressure { $0.key("pressure", object: pressure.write) }
      }
    case .machineCalm(let waitedSeconds):
      json.key("machineCalm") { $0.key("waitedSeconds", waitedSeconds) }
    case .operationYielded(let index, let lostSeconds):
      json.key("operationYielded") {
        $0.key("index", index)
        $0.key("lostSeconds", lostSeconds)
      }
    case .predictionChecked(let index, let predictedUnallocated, let realUnallocated):
      json.key("predictionChecked") {
        $0.key("index", index)
        $0.key("predictedUnallocated", predictedUnallocated)
        $0.key("realUnallocated", realUnallocated)
      }
    case .replanned(let operations):
      json.key("replanned") {
        $0.key("operations")
        $0.array(operations) { json, operation in json.object(operation.write) }
      }
    case .scrubStarted(let devices, let readOnly, let policyPath, let processID):
      json.key("scrubStarted") {
        $0.key("devices")
        $0.array(devices) { json, devid in json.number(devid) }
        $0.key("policyPath", policyPath)
        $0.key("processID", processID)
        $0.key("readOnly", readOnly)
      }
    case .scrubResumed(let processID):
      json.key("scrubResumed") { $0.key("processID", processID) }
    case .scrubSpeedLimitSet(let devid, let original, let applied):
      json.key("scrubSpeedLimitSet") {
        $0.key("applied", applied)
        $0.key("devid", devid)
        $0.key("original", original)
      }
    case .scrubSpeedLimitRestored(let devid):
      json.key("scrubSpeedLimitRestored") { $0.key("devid", devid) }
    case .scrubExtentFinished(let devid, let physical, let chunkVaddr, let counters):
      json.key("scrubExtentFinished") {
        $0.key("chunkVaddr", chunkVaddr)
        $0.key("counters", object: counters.write)
        $0.key("devid", devid)
        $0.key("physical", physical)
      }
    case .scrubProgress(let devid, let physical, let counters):
      json.key("scrubProgress") {
        $0.key("counters", object: counters.write)
        $0.key("devid", devid)
        $0.key("physical", physical)
      }
    case .scrubPaused(let reason):
      json.key("scrubPaused") { $0.key("reason", reason.rawValue) }
    case .scrubCancelled(let reason):
      json.key("scrubCancelled") { $0.key("reason", reason.rawValue) }
    case .scrubFinished(let totals):
      // A dictionary keyed by integers other than `Int` is coded as an array of key, value, ….
      json.key("scrubFinished") {
        $0.key("totals")
        $0.array {
          for (devid, counters) in totals.sorted(by: { $0.key < $1.key }) {
            $0.element { $0.number(devid) }
            $0.element { $0.object(counters.write) }
          }
        }
      }
    case .deviceStatsRead(let devid, let stats):
      json.key("deviceStatsRead") {
        $0.key("devid", devid)
        $0.key("stats", object: stats.write)
      }
    case .trimFinished(let trimmedBytes):
      json.key("trimFinished") { $0.key("trimmedBytes", trimmedBytes) }
    }
  }
}

extension Plan {
  fileprivate func write(to json: inout JournalLineWriter) {
    json.key("fsid", fsid)
    json.key("layout", object: layout.write)
    json.key("mountpoint", mountpoint)
    json.key("notes")
    json.array(notes) { json, note in json.string(note) }
    json.key("operations")
    json.array(operations) { json, operation in json.object(operation.write) }
    json.key("outcome", object: outcome.write)
    json.key("outsideWindow", outsideWindow)
    json.key("plannedFor", plannedFor)
    json.key("policyDigest", policyDigest)
    json.key("policyName", policyName)
    json.key("rules")
    json.array(rules) { json, rule in json.object(rule.write) }
  }
}

extension LayoutSummary {
  fileprivate func write(to json: inout JournalLineWriter) {
    json.key("blockGroupCount", blockGroupCount)
    json.key("capturedAt", capturedAt)
    json.key("deviceCount", deviceCount)
    json.key("totalBytes", totalBytes)
    json.key("unallocatedBytes", unallocatedBytes)
    json.key("usedBytes", usedBytes)
  }
}

extension PlannedOperation {
  fileprivate func write(to json: inout JournalLineWriter) {
    json.key("arguments", object: arguments.write)
    json.key("convert", convert?.rawValue)
    json.key("effect", object: effect.write)
    json.key("index", index)
    json.key("rule", rule)
    json.key("target", object: target.write)
  }
}

extension TargetBlockGroup {
  fileprivate func write(to json: inout JournalLineWriter) {
    json.key("length", length)
    json.key("profile", profile.rawValue)
    json.key("type", type.rawValue)
    json.key("used", used)
    json.key("vaddr", vaddr)
  }
}

extension PredictedEffect {
  fileprivate func write(to json: inout JournalLineWriter) {
    json.key("blockGroupsAfter", blockGroupsAfter)
    json.key("newChunks", newChunks)
    json.key("relocatedBytes", relocatedBytes)
    json.key("unallocatedAfter", unallocatedAfter)
  }
}

extension PredictedOutcome {
  fileprivate func write(to json: inout JournalLineWriter) {
    json.key("blockGroupsAfter", blockGroupsAfter)
    json.key("blockGroupsBefore", blockGroupsBefore)
    if let devices {
      json.key("devices")
      json.array(devices) { json, device in json.object(device.write) }
    }
    json.key("relocatedBytes", relocatedBytes)
    json.key("unallocatedAfter", unallocatedAfter)
    json.key("unallocatedBefore", unallocatedBefore)
  }
}

extension PredictedDevice {
  fileprivate func write(to json: inout JournalLineWriter) {
    json.key("devid", devid)
    json.key("path", path)
    json.key("sizeBytes", sizeBytes)
    json.key("unallocatableSoftAfterBytes", unallocatableSoftAfterBytes)
    json.key("unallocatableSoftBeforeBytes", unallocatableSoftBeforeBytes)
    json.key("unallocatedAfterBytes", unallocatedAfterBytes)
    json.key("unallocatedBeforeBytes", unallocatedBeforeBytes)
  }
}

extension RuleReport {
  fileprivate func write(to json: inout JournalLineWriter) {
    json.key("explanation", explanation)
    json.key("fired", fired)
    json.key("operations", operations)
    json.key("relocatedBytes", relocatedBytes)
    json.key("rule", rule)
    json.key("skippedBlockGroups", skippedBlockGroups)
    json.key("verdict", verdict.rawValue)
  }
}

extension BalanceArguments {
  fileprivate func write(to json: inout JournalLineWriter) {
    if let data { json.key("data", object: data.write) }
    json.key("force", force)
    if let metadata { json.key("metadata", object: metadata.write) }
    if let system { json.key("system", object: system.write) }
  }
}

extension BalanceFilter {
  fileprivate func write(to json: inout JournalLineWriter) {
    json.key("convert", convert?.rawValue)
    json.key("devid", devid)
    switch limit {
    case .count(let count): json.key("limit") { $0.key("count") { $0.key("_0", count) } }
    case .range(let range): json.key("limit") { $0.key("range") { $0.key("_0", range) } }
    case nil: break
    }
    if let physicalRange { json.key("physicalRange", physicalRange) }
    if let profiles {
      json.key("profiles")
      json.array(profiles.map(\.rawValue).sorted()) { json, profile in json.string(profile) }
    }
    json.key("soft", soft)
    if let stripes { json.key("stripes", stripes) }
    switch usage {
    case .below(let percent): json.key("usage") { $0.key("below") { $0.key("_0", percent) } }
    case .range(let range): json.key("usage") { $0.key("range") { $0.key("_0", range) } }
    case nil: break
    }
    if let virtualRange { json.key("virtualRange", virtualRange) }
  }
}

extension JournalLineWriter {
  /// A range as `Codable` writes it: `[lower, upper]`.
  fileprivate mutating func key(_ name: StaticString, _ range: Range<UInt64>) {
    key(name)
    array([range.lowerBound, range.upperBound]) { json, bound in json.number(bound) }
  }

  /// A closed range as `Codable` writes it: `[lower, upper]`.
  fileprivate mutating func key(_ name: StaticString, _ range: ClosedRange<UInt32>) {
    key(name)
    array([range.lowerBound, range.upperBound]) { json, bound in json.number(UInt64(bound)) }
  }

  fileprivate mutating func key(_ name: StaticString, _ value: UInt32) {
    key(name, UInt64(value))
  }
}

extension OperationResult {
  fileprivate func write(to json: inout JournalLineWriter) {
    switch self {
    case .relocated(let relocatedBytes, let unallocatedAfter):
      json.key("relocated") {
        $0.key("relocatedBytes", relocatedBytes)
        $0.key("unallocatedAfter", unallocatedAfter)
      }
    case .skipped(let reason):
      json.key("skipped") { $0.key("reason", reason) }
    case .noSpace:
      json.key("noSpace") { _ in }
    case .failed(let message):
      json.key("failed") { $0.key("message", message) }
    }
  }
}

extension RunSummary {
  fileprivate func write(to json: inout JournalLineWriter) {
    json.key("ending", ending.label)
    json.key("executorCPUSeconds", executorCPUSeconds)
    json.key("failed", failed)
    json.key("left", left)
    json.key("reason", ending.stopReason?.rawValue)
    json.key("relocated", relocated)
    json.key("relocatedBytes", relocatedBytes)
    json.key("skipped", skipped)
    json.key("unallocatedAfter", unallocatedAfter)
    json.key("unallocatedBefore", unallocatedBefore)
  }
}

extension MachinePressure {
  fileprivate func write(to json: inout JournalLineWriter) {
    json.key("io", io)
    json.key("memory", memory)
  }
}

extension ScrubCounters {
  fileprivate func write(to json: inout JournalLineWriter) {
    json.key("allocationErrors", allocationErrors)
    json.key("checksumDiscards", checksumDiscards)
    json.key("checksumErrors", checksumErrors)
    json.key("correctedErrors", correctedErrors)
    json.key("dataBytes", dataBytes)
    json.key("dataExtents", dataExtents)
    json.key("lastPhysical", lastPhysical)
    json.key("noChecksum", noChecksum)
    json.key("readErrors", readErrors)
    json.key("superErrors", superErrors)
    json.key("treeBytes", treeBytes)
    json.key("treeExtents", treeExtents)
    json.key("uncorrectableErrors", uncorrectableErrors)
    json.key("unverifiedErrors", unverifiedErrors)
    json.key("verifyErrors", verifyErrors)
  }
}

extension DeviceStats {
  fileprivate func write(to json: inout JournalLineWriter) {
    json.key("corruptionErrors", corruptionErrors)
    json.key("flushErrors", flushErrors)
    json.key("generationErrors", generationErrors)
    json.key("readErrors", readErrors)
    json.key("writeErrors", writeErrors)
  }
}
