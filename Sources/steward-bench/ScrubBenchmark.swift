import ArgumentParser
import Btrfs
import Foundation
import Steward

/// Scrub throughput of `btrfs-steward scrub` (one ioctl per device extent, journaled) beside
/// `btrfs scrub start -B` (one ioctl per device), without and with a speed limit, on one image.
struct ScrubBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "scrub",
    abstract:
      "Scrub throughput of btrfs-steward beside `btrfs scrub start -B`, without and with a speed limit.",
    discussion: """
      Builds a scratch filesystem whose data lies in many small extents (the hard case: many \
      checksums and extents per byte), warms the page cache of its image with one scrub (so every \
      contender reads from the same place), then scrubs it with each contender in turn. Throughput \
      is the bytes the kernel reports verified (data and metadata) over the wall time of the \
      command. Targets: btrfs-steward unthrottled within 10% of `btrfs scrub`; throttled, at most \
      5% above the limit and at least 80% of it.
      """
  )

  @Option(help: "The speed limit to compare, in MiB/s per device.")
  var limit = 64

  @Option(help: "Scrubs per contender; the median is printed.")
  var repetitions = 3

  func run() throws {
    let executable = try stewardExecutable()
    let image = try ScratchImage(size: "4G", prefix: "steward-bench")
    defer { image.remove() }
    print("Writing 1.9 GiB in 64 KiB files and deleting about half…")
    try image.fragment(fileCount: 120, fileSize: 16 << 20, seed: 9, pieceSize: 64 << 10)
    let fileSystem = try FileSystem(path: image.mountpoint)
    let sysfs = try fileSystem.sysfs()
    let original = sysfs.scrubSpeedLimit(devid: 1) ?? 0
    defer { try? sysfs.setScrubSpeedLimit(devid: 1, bytesPerSecond: original) }
    _ = try Command.run(["btrfs", "scrub", "start", "-B", "-r", image.mountpoint])

    let limitBytes = UInt64(limit) << 20
    var results: [(name: String, limit: String, rate: Double)] = []
    func record(
      _ name: String, limit: String, _ measure: () throws -> (bytes: UInt64, seconds: Double)
    )
      rethrows
    {
      var rates: [Double] = []
      var bytes: UInt64 = 0
      for _ in 0..<repetitions {
        let run = try measure()
        bytes = run.bytes
        rates.append(Double(run.bytes) / run.seconds)
      }
      let median = rates.sorted()[rates.count / 2]
      results.append((name, limit, median))
      print(
        "  \(name.padding(toLength: 34, withPad: " ", startingAt: 0)) \(limit.padding(toLength: 10, withPad: " ", startingAt: 0))"
          + " \(ByteCount(bytes)) at \(String(format: "%.1f", median / 1_048_576)) MiB/s (median of \(repetitions))"
      )
    }

    print("")
    print("  contender                          limit      throughput")
    try record("btrfs scrub start -B", limit: "none") { try progsScrub(image) }
    try record("btrfs-steward scrub", limit: "none") {
      try stewardScrub(executable, image, speedLimit: nil)
    }
    try sysfs.setScrubSpeedLimit(devid: 1, bytesPerSecond: limitBytes)
    try record("btrfs scrub start -B", limit: "\(limit) MiB/s") { try progsScrub(image) }
    try sysfs.setScrubSpeedLimit(devid: 1, bytesPerSecond: original)
    try record("btrfs-steward scrub (speed-limit)", limit: "\(limit) MiB/s") {
      try stewardScrub(executable, image, speedLimit: limit)
    }

    let progs = results[0].rate
    let steward = results[1].rate
    let throttled = results[3].rate / Double(limitBytes)
    print("")
    print(
      "Unthrottled: btrfs-steward at \(String(format: "%.0f", 100 * steward / progs))% of `btrfs scrub`"
        + " (target: at least 90%) — \(steward >= 0.9 * progs ? "met" : "missed")")
    print(
      "Throttled: btrfs-steward at \(String(format: "%.0f", 100 * throttled))% of the limit"
        + " (target: 80% to 105%) — \(throttled >= 0.8 && throttled <= 1.05 ? "met" : "missed")")
  }

  /// One `btrfs scrub start -B -R` (verify-only, like the steward contender's policy): the bytes it
  /// reports and its wall time.
  private func progsScrub(_ image: ScratchImage) throws -> (bytes: UInt64, seconds: Double) {
    let start = Date()
    let output = try Command.run(["btrfs", "scrub", "start", "-B", "-R", "-r", image.mountpoint])
    let seconds = Date().timeIntervalSince(start)
    func value(_ name: String) -> UInt64 {
      output.split(separator: "\n").lazy.compactMap { line -> UInt64? in
        let parts = line.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
        return parts.count == 2 && parts[0] == name ? UInt64(parts[1]) : nil
      }.first ?? 0
    }
    return (value("data_bytes_scrubbed") + value("tree_bytes_scrubbed"), seconds)
  }

  /// One `btrfs-steward scrub --now` of a read-only scrub policy in a fresh state directory: the
  /// bytes its journal reports and its wall time.
  private func stewardScrub(_ executable: String, _ image: ScratchImage, speedLimit: Int?) throws
    -> (bytes: UInt64, seconds: Double)
  {
    let directory = image.directory.appendingPathComponent("steward-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let policy = directory.appendingPathComponent("policy.yaml").path
    try """
    version: 1
    name: bench-scrub
    scrub:
      read-only: true
    \(speedLimit.map { "  speed-limit: \($0)MiB" } ?? "")
    """.write(toFile: policy, atomically: true, encoding: .utf8)
    let state = directory.appendingPathComponent("state").path
    let run = try ChildRun.succeeding(
      [
        executable, "scrub", "--now", "--policy", policy, "--state-dir", state, "--runtime-dir",
        directory.appendingPathComponent("run").path, image.mountpoint,
      ], log: directory.appendingPathComponent("scrub.log"))
    let journal = try JournalFile(
      stateDirectory: state, fsid: FileSystem(path: image.mountpoint).info().fsid)
    let totals =
      try journal.read().records.compactMap { record -> [UInt64: ScrubCounters]? in
        if case .scrubFinished(let totals) = record.event { return totals }
        return nil
      }.last ?? [:]
    return (totals.values.reduce(0) { $0 + $1.bytesScrubbed }, run.wallSeconds)
  }
}
