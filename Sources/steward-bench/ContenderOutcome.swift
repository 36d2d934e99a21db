import Btrfs
import Foundation

/// What one contender did to its copy, measured from the layouts read before and after its run.
/// Block-group addresses only grow, so a block group present before and absent after was
/// relocated (or deleted empty).
struct ContenderOutcome: Codable {
  var name: String
  var command: [String]
  /// Used bytes of the data block groups that were relocated.
  var dataBytesRelocated: UInt64
  /// Data block groups relocated.
  var dataBlockGroupsRelocated: Int
  /// Metadata and system block groups relocated.
  var otherBlockGroupsRelocated: Int
  /// The usage, in percent before the run, of each data block group relocated, in address order.
  var relocatedDataUsagePercents: [Int]
  /// Bytes written to the copy's device during the run (data moved, more than once where it was,
  /// and metadata).
  var deviceBytesWritten: UInt64
  var unallocatedBefore: UInt64
  var unallocatedAfter: UInt64
  /// Unallocated bytes gained (negative when lost).
  var unallocatedRegained: Int64
  /// Data bytes relocated per unallocated byte regained; nil when nothing was regained.
  var relocatedPerRegained: Double?
  var run: ChildRun
  /// User plus system CPU time as a percentage of wall time.
  var cpuPercentOfWall: Double
  /// btrfs-steward's own account (btrfs-steward only).
  var steward: StewardReport?
  /// |predicted − actual| unallocated regained, in % of the actual (btrfs-steward only).
  var predictionErrorPercent: Double?
  /// This contender's figures divided by btrfs-steward's.
  var againstSteward: StewardRatios?

  init(
    name: String, command: [String], before: Layout, after: Layout, deviceBytesWritten: UInt64,
    run: ChildRun, steward: StewardReport? = nil
  ) {
    self.name = name
    self.command = command
    let remaining = Set(after.blockGroups.map(\.vaddr))
    let relocated = before.blockGroups.filter { !remaining.contains($0.vaddr) }
    let data = relocated.filter { $0.type == .data }
    dataBytesRelocated = data.reduce(0) { $0 + $1.used }
    dataBlockGroupsRelocated = data.count
    otherBlockGroupsRelocated = relocated.count - data.count
    relocatedDataUsagePercents = data.map { Int($0.usagePercent.rounded()) }
    self.deviceBytesWritten = deviceBytesWritten
    unallocatedBefore = before.unallocatedBytes
    unallocatedAfter = after.unallocatedBytes
    unallocatedRegained = Int64(after.unallocatedBytes) - Int64(before.unallocatedBytes)
    relocatedPerRegained =
      unallocatedRegained > 0 ? Double(dataBytesRelocated) / Double(unallocatedRegained) : nil
    self.run = run
    cpuPercentOfWall = run.wallSeconds > 0 ? run.cpuSeconds * 100 / run.wallSeconds : 0
    self.steward = steward
    predictionErrorPercent = steward.flatMap { report in
      unallocatedRegained > 0
        ? abs(Double(report.predicted.unallocatedGained - unallocatedRegained)) * 100
          / Double(unallocatedRegained) : nil
    }
  }
}

/// A contender's figures divided by btrfs-steward's (1 for btrfs-steward itself); nil where either
/// is undefined or btrfs-steward's is zero.
struct StewardRatios: Codable {
  var unallocatedRegained: Double?
  var dataBytesRelocated: Double?
  var relocatedPerRegained: Double?
  var wallSeconds: Double?
  var cpuSeconds: Double?

  init(_ outcome: ContenderOutcome, steward: ContenderOutcome) {
    unallocatedRegained = ratio(
      Double(outcome.unallocatedRegained), Double(steward.unallocatedRegained))
    dataBytesRelocated = ratio(
      Double(outcome.dataBytesRelocated), Double(steward.dataBytesRelocated))
    relocatedPerRegained = ratio(outcome.relocatedPerRegained, steward.relocatedPerRegained)
    wallSeconds = ratio(outcome.run.wallSeconds, steward.run.wallSeconds)
    cpuSeconds = ratio(outcome.run.cpuSeconds, steward.run.cpuSeconds)
  }
}
