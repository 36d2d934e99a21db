import Btrfs
import Foundation
import Steward

/// What a multi-device kind of the corpus does after its script: `btrfs device add` of empty
/// devices, then btrfs-steward with `rule` (spreading, converting) beside `btrfs balance` with
/// `peerFilters` on a copy of its own, each predicted (btrfs-steward) and measured per device.
struct DeviceChange {
  /// The sizes of the empty devices added after the script.
  var addedDeviceSizes: [String]
  /// btrfs-steward's one rule, as YAML lines of a `rules:` item (indented by four).
  var rule: String
  /// The filters of the `btrfs balance start` peer (`-d`, `-dconvert=raid1,soft`).
  var peerFilters: [String]

  /// Attaches `files` and adds them to the filesystem mounted at `mountpoint`; the loop devices go
  /// to `attached` as they are made, for the caller to detach once the filesystem is unmounted.
  func addDevices(files: [String], to mountpoint: String, attached: inout [String]) throws {
    for file in files {
      let device = try Command.run(["losetup", "--find", "--show", file])
        .trimmingCharacters(in: .whitespacesAndNewlines)
      attached.append(device)
      try Command.run(["btrfs", "device", "add", "-f", device, mountpoint])
    }
    _ = try settledLayout(mountpoint)
  }

  var policy: String {
    """
    version: 1
    name: bench-corpus-devices
    rules:
      - name: devices
    \(rule)
    """
  }

  /// btrfs-steward's plan → run on `copy`, per device.
  func measureSteward(_ copy: MountedCopy, executable: String) throws -> DeviceRound {
    let policyFile = copy.directory.appendingPathComponent("policy.yaml").path
    try policy.write(toFile: policyFile, atomically: true, encoding: .utf8)
    let before = try settledLayout(copy.mountpoint)
    let plan = try copy.plan(executable: executable, policyFile: policyFile, )
    _ = try ChildRun.succeeding(
      [
        executable, "run", "--policy", policyFile, "--state-dir",
        copy.directory.appendingPathComponent("state").path, "--runtime-dir",
        copy.directory.appendingPathComponent("run").path, copy.mountpoint,
      ], log: copy.directory.appendingPathComponent("run.log"))
    let after = try settledLayout(copy.mountpoint)
    let journal = try JournalFile(
      stateDirectory: copy.directory.appendingPathComponent("state").path, fsid: copy.fsid)
    var round = DeviceRound(
      operations: plan.operations.count, before: before, after: after,
      predicted: (plan.outcome.devices ?? []).map(\.unallocatedAfterBytes))
    round.replans = try journal.read().records.filter {
      if case .replanned = $0.event { return true }
      return false
    }.count
    return round
  }

  /// `btrfs balance start` with the peer's filters on `copy`, per device.
  func measurePeer(_ copy: MountedCopy) throws -> DeviceRound {
    let before = try settledLayout(copy.mountpoint)
    _ = try ChildRun.succeeding(
      ["/usr/bin/env", "btrfs", "balance", "start"] + peerFilters + [copy.mountpoint],
      log: copy.directory.appendingPathComponent("peer.log"))
    let after = try settledLayout(copy.mountpoint)
    return DeviceRound(operations: nil, before: before, after: after, predicted: nil)
  }
}

/// One tool's effect on the devices of a multi-device copy.
struct DeviceRound: Codable {
  /// The operations btrfs-steward planned; `nil` for the peer.
  var operations: Int?
  /// Unallocated bytes per device before, and after (settled), in devid order.
  var before: [UInt64]
  var after: [UInt64]
  /// btrfs-steward's predicted unallocated bytes per device after its plan.
  var predicted: [UInt64]?
  /// The used bytes of the data block groups present before and gone after.
  var moved: UInt64
  /// How often btrfs-steward's run planned the rest anew because an operation's result was more
  /// than one chunk from its prediction; `nil` for the peer.
  var replans: Int?

  init(operations: Int?, before: Layout, after: Layout, predicted: [UInt64]?) {
    self.operations = operations
    self.before = before.devices.map(\.unallocatedBytes)
    self.after = after.devices.map(\.unallocatedBytes)
    self.predicted = predicted
    moved = PeerResult(before: before, after: after).moved
  }

  /// The most and least unallocated space of any device, apart.
  var spreadAfter: UInt64 { (after.max() ?? 0) - (after.min() ?? 0) }
}

/// A multi-device kind's figures: btrfs-steward's prediction and result per device beside the peer.
struct DeviceCorpusResult: Codable {
  var kind: String
  /// The raw bytes one data chunk takes on one device (its stripe length): "one chunk per device".
  var chunkPerDevice: UInt64
  var steward: DeviceRound
  var peer: DeviceRound
  var peerCommand: String

  /// How far each device's real unallocated space is from the prediction (real minus predicted).
  var errors: [Int64] {
    zip(steward.after, steward.predicted ?? []).map { Int64($0) - Int64($1) }
  }

  /// Every device's prediction within one chunk of what the kernel left.
  var predictionMet: Bool {
    steward.predicted?.count == steward.after.count
      && errors.allSatisfy { UInt64($0.magnitude) <= chunkPerDevice }
  }

  var lines: [String] {
    func mib(_ bytes: UInt64) -> String { String(format: "%.0f", Double(bytes) / 1_048_576) }
    func mib(_ bytes: Int64) -> String { String(format: "%+.0f", Double(bytes) / 1_048_576) }
    var lines = [
      "\(kind): \(steward.operations ?? 0) operations planned (replanned \(steward.replans ?? 0)x "
        + "on the way), one chunk per device \(mib(chunkPerDevice)) MiB; first plan's prediction "
        + "within one chunk per device: \(predictionMet ? "MET" : "MISSED")"
    ]
    for index in steward.after.indices {
      let predicted = steward.predicted.flatMap { $0.indices.contains(index) ? $0[index] : nil }
      lines.append(
        "    device \(index + 1): before \(mib(steward.before[index])), predicted "
          + (predicted.map { mib($0) } ?? "?") + ", real \(mib(steward.after[index]))"
          + (index < errors.count ? " (\(mib(errors[index])))" : "")
          + " | \(peerCommand): \(peer.after.indices.contains(index) ? mib(peer.after[index]) : "?")"
      )
    }
    lines.append(
      "    moved \(mib(steward.moved)) MiB, devices apart by \(mib(steward.spreadAfter)) MiB after"
        + " | \(peerCommand): moved \(mib(peer.moved)) MiB, apart by \(mib(peer.spreadAfter)) MiB")
    return lines
  }
}
