import Foundation
import Steward

/// One image's figures and which targets they meet.
struct CorpusResult: Codable {
  var kind: String
  var steward: StewardResult
  var python: PeerResult
  var dusage: PeerResult

  /// The tolerance of a gain prediction: one data chunk or 2 % of the real gain, the larger.
  private func tolerance(_ real: Int64) -> UInt64 {
    max(steward.dataChunkRawBytes, UInt64(Double(real.magnitude) * 0.02))
  }

  /// Predicted gain of the first run within tolerance of the real gain.
  var gainMet: Bool {
    UInt64((steward.first.predictedGain - steward.first.realGain).magnitude)
      <= tolerance(steward.first.realGain)
  }

  /// Predicted bytes moved within 2 % of the journal's.
  var movedMet: Bool {
    let predicted = Double(steward.first.predictedMoved)
    let real = Double(steward.first.realMoved)
    return abs(predicted - real) <= real * 0.02
  }

  /// The second plan promises nothing it fails to deliver: no operations, or a real gain within
  /// tolerance of its promise and above nothing.
  var secondMet: Bool {
    let second = steward.second
    guard second.plannedOperations > 0 else { return true }
    return second.realGain > 0
      && UInt64((second.predictedGain - second.realGain).magnitude) <= tolerance(second.realGain)
  }

  /// Bytes moved per byte regained no worse than python-btrfs's, at equal or greater regained
  /// space. Where python-btrfs regained nothing (or failed), regaining something is better, and
  /// otherwise moving no more than it did.
  var versusPythonMet: Bool {
    let ours = steward.overall
    guard ours.regained >= python.regained else { return false }
    guard let theirs = python.movedPerRegained else {
      return ours.regained > 0 || ours.moved <= python.moved
    }
    return (ours.movedPerRegained ?? .infinity) <= theirs || ours.moved == 0
  }

  /// The image's figures on one line.
  var line: String {
    let first = steward.first
    let second = steward.second
    return [
      kind.padding(toLength: 17, withPad: " ", startingAt: 0),
      "gain \(gb(first.predictedGain))/\(gb(first.realGain)) \(mark(gainMet))",
      "moved \(gb(first.predictedMoved))/\(gb(first.realMoved)) \(mark(movedMet))",
      "2nd \(second.plannedOperations) ops \(gb(second.predictedGain))/\(gb(second.realGain)) "
        + mark(secondMet),
      "moved/regained \(ratio(steward.overall)) vs python \(ratio(python)) "
        + "(\(gb(python.regained)))\(python.failure == nil ? "" : " FAILED") "
        + mark(versusPythonMet),
      "-dusage \(ratio(dusage)) (\(gb(dusage.regained)))\(dusage.failure == nil ? "" : " FAILED")",
    ].joined(separator: " | ")
  }
}

/// The corpus benchmark's results and targets.
struct CorpusReport: Codable {
  var usage: Int
  var dusage: Int
  var results: [CorpusResult]
  /// The multi-device kinds' figures, device by device.
  var deviceResults: [DeviceCorpusResult]
  /// Kinds that could not be built or measured, with the error.
  var failures: [String]

  /// btrfs-steward's and python-btrfs's totals over the corpus.
  var stewardTotal: PeerResult { total(\.steward.overall) }
  var pythonTotal: PeerResult { total(\.python) }

  private func total(_ path: KeyPath<CorpusResult, PeerResult>) -> PeerResult {
    PeerResult(
      regained: results.reduce(0) { $0 + $1[keyPath: path].regained },
      moved: results.reduce(0) { $0 + $1[keyPath: path].moved })
  }

  func rendered() -> String {
    var lines = [
      "Per image (predicted/real, GiB; moved/regained is used bytes of data block groups gone per "
        + "unallocated byte regained, both rounds; python-btrfs -u \(usage), -dusage=\(dusage)):"
    ]
    lines += results.map { "  " + $0.line }
    if !deviceResults.isEmpty {
      lines += [
        "",
        "Multi-device (unallocated per device, MiB; real minus predicted in brackets; the peer "
          + "on a copy of its own):",
      ]
      lines += deviceResults.flatMap { $0.lines.map { "  " + $0 } }
    }
    lines += failures.map { "  FAILED \($0)" }
    let ours = stewardTotal
    let theirs = pythonTotal
    let corpusMet =
      ours.regained >= theirs.regained
      && (ours.movedPerRegained ?? .infinity) <= 0.8 * (theirs.movedPerRegained ?? .infinity)
    func count(_ met: (CorpusResult) -> Bool) -> String {
      let misses = results.filter { !met($0) }.map(\.kind)
      return misses.isEmpty
        ? "MET on all \(results.count)"
        : "MISSED on \(misses.count) of \(results.count) (\(misses.joined(separator: ", ")))"
    }
    let devicesMet = deviceResults.filter(\.predictionMet).count
    lines += [
      "",
      "Targets:",
      "  multi-device: every device's predicted unallocated space within one data chunk of the "
        + "real: "
        + (deviceResults.isEmpty
          ? "no multi-device kind measured"
          : devicesMet == deviceResults.count
            ? "MET on all \(deviceResults.count)"
            : "MISSED on \(deviceResults.count - devicesMet) of \(deviceResults.count) ("
              + deviceResults.filter { !$0.predictionMet }.map(\.kind).joined(separator: ", ")
              + ")"),
      "  first plan's gain within one data chunk or 2 % of the real gain: \(count(\.gainMet))",
      "  first plan's bytes moved within 2 % of the journal's: \(count(\.movedMet))",
      "  second plan promises nothing it fails to deliver: \(count(\.secondMet))",
      "  moved per regained never worse than python-btrfs (at ≥ its regained space): "
        + count(\.versusPythonMet),
      "  corpus moved per regained ≤ 0.8x python-btrfs's, at ≥ its regained space: "
        + "\(ratio(ours)) vs \(ratio(theirs)) (0.8x = "
        + (theirs.movedPerRegained.map { String(format: "%.2f", 0.8 * $0) } ?? "n/a")
        + "), regained \(gb(ours.regained)) vs \(gb(theirs.regained)) GiB: "
        + (corpusMet ? "MET" : "MISSED"),
    ]
    return lines.joined(separator: "\n")
  }
}

private func gb(_ bytes: Int64) -> String { String(format: "%+.2f", Double(bytes) / 1_073_741_824) }
private func gb(_ bytes: UInt64) -> String { String(format: "%.2f", Double(bytes) / 1_073_741_824) }
private func mark(_ met: Bool) -> String { met ? "MET" : "MISSED" }
private func ratio(_ result: PeerResult) -> String {
  result.movedPerRegained.map { String(format: "%.2f", $0) }
    ?? (result.moved == 0 ? "0 moved" : "∞")
}
