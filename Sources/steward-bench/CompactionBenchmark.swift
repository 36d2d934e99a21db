import ArgumentParser
import Btrfs
import Foundation
import Steward

/// Compacts one fragmented filesystem with btrfs-steward and with its peers, each on its own copy,
/// and compares what each relocated, regained and cost.
struct CompactionBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "compaction",
    abstract:
      "Compact copies of one fragmented filesystem with btrfs-steward, python-btrfs, "
      + "btrfsmaintenance and btrfs balance -dusage; compare relocated vs regained.",
    discussion: """
      Builds one sparse btrfs image (data chunks of --data-chunk-mib, files written and a seeded \
      share deleted so data block groups end up at varied usage), unmounts it, and for each \
      contender in turn copies it (cp --sparse=always), mounts the copy on its own loop device, \
      reads the layout, runs the contender, reads the layout again, and removes the copy. Order: \
      python-btrfs's btrfs-balance-least-used -u USAGE; btrfs-steward (plan --json, then run) \
      with a least-used policy (usage-below USAGE.5 %, what -u USAGE selects) whose goal is the \
      unallocated space python-btrfs ended with; btrfsmaintenance's btrfs-balance.sh with its \
      installed configuration; btrfs balance start -dusage=COMMON-ADVICE-USAGE. Data bytes relocated are the \
      used bytes of data block groups present before and gone after; CPU time is the \
      contender's (and its children's) user+system time, which for a balance includes the \
      kernel's relocation work inside the ioctl. Prints one table and the targets, and writes \
      them as JSON.
      """
  )

  @Option(help: "The image size (a truncate size).")
  var imageSize = "12G"

  @Option(help: "The data chunk size in MiB (a multiple of 256), set in sysfs on every mount.")
  var dataChunkMib: UInt64 = 256

  @Option(help: "Files written before a seeded share is deleted.")
  var fileCount = 800

  @Option(help: "The size of each file in MiB.")
  var fileSizeMib = 8

  @Option(help: "The seed that picks the deleted files.")
  var seed: UInt64 = 1

  @Option(
    help:
      "The usage threshold in percent of the least-used contenders (btrfs-steward, python-btrfs).")
  var usage = 25

  @Option(
    help: "The usage filter of the plain `btrfs balance -dusage` contender (the common advice).")
  var commonAdviceUsage = 50

  @Option(
    help: """
      Rounds of btrfs-steward and python-btrfs, each on a fresh copy, taking turns: the wall-time \
      and CPU targets are judged on their medians.
      """)
  var rounds = 5

  @Option(help: "The python interpreter that has python-btrfs.")
  var python = "/usr/bin/python3"

  @Option(help: "Where to write the results as JSON.")
  var jsonOutput = "compaction-benchmark.json"

  func run() throws {
    guard geteuid() == 0 else { throw BenchmarkFailure("compaction needs root") }
    Interruption.install()
    let steward = try stewardExecutable()
    let workdir = URL(fileURLWithPath: NSTemporaryDirectory())
      .appendingPathComponent("steward-bench-compaction-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(at: workdir) }
    let image = CompactionImage(
      size: imageSize, dataChunkSize: dataChunkMib << 20, fileCount: fileCount,
      fileSize: fileSizeMib << 20, seed: seed)
    let master = workdir.appendingPathComponent("master.img")
    print(
      "Building a \(imageSize) image: \(fileCount) files of \(fileSizeMib) MiB, "
        + "then a seeded share deleted…")
    let fsid = try image.build(master: master)
    // btrfs-steward and btrfsmaintenance lock this file; the fsid is this benchmark's own.
    defer { unlink(FilesystemLock.btrfsMaintenanceLockPath(fsid: fsid)) }

    var contender = 0
    func measure(_ tool: some CompactionContender) throws -> (ContenderOutcome, Layout) {
      try Interruption.check()
      contender += 1
      print("Running \(tool.name) on copy \(contender)…")
      let (outcome, before) = try image.withCopy(
        of: master, name: "copy-\(contender)", in: workdir
      ) { copy in
        let before = try settledLayout(copy.mountpoint)
        let writtenBefore = try copy.bytesWritten()
        let command = try tool.prepare(copy)
        let run = try ChildRun.succeeding(
          command, log: copy.directory.appendingPathComponent("output.log"))
        try Interruption.check()
        let after = try settledLayout(copy.mountpoint)
        let outcome = ContenderOutcome(
          name: tool.name, command: command, before: before, after: after,
          deviceBytesWritten: try copy.bytesWritten() - writtenBefore, run: run,
          steward: try tool.report(copy))
        return (outcome, before)
      }
      print(
        String(
          format: "  %.1f s, %@ relocated, unallocated %@", outcome.run.wallSeconds,
          "\(ByteCount(outcome.dataBytesRelocated))", signedBytes(outcome.unallocatedRegained)))
      return (outcome, before)
    }

    let pythonContender = PythonLeastUsed(python: python, usage: usage)
    let (pythonOutcome, start) = try measure(pythonContender)
    let stewardContender = StewardLeastUsed(
      executable: steward, usage: usage, goal: pythonOutcome.unallocatedAfter)
    let stewardOutcome = try measure(stewardContender).0
    let maintenance = try measure(BtrfsMaintenanceBalance()).0
    let usageBalance = try measure(KernelUsageBalance(usage: commonAdviceUsage)).0
    var timing = CompactionTimingRounds(
      rounds: [.init(steward: stewardOutcome, python: pythonOutcome)])
    for round in 1..<max(rounds, 1) {
      print("Timing round \(round + 1) of \(rounds):")
      if round.isMultiple(of: 2) {
        let pythonRun = try measure(pythonContender).0
        timing.rounds.append(.init(steward: try measure(stewardContender).0, python: pythonRun))
      } else {
        let stewardRun = try measure(stewardContender).0
        timing.rounds.append(.init(steward: stewardRun, python: try measure(pythonContender).0))
      }
    }
    let report = CompactionReport(
      image: ImageFacts(image, layout: start), usageThreshold: usage, steward: stewardContender,
      outcomes: (stewardOutcome, pythonOutcome, maintenance, usageBalance), timing: timing)

    print("")
    print(report.image.summary)
    print(
      "btrfs-steward's goal: unallocated-above \(ByteCount(report.stewardGoal)) (what python-btrfs "
        + "ended with); btrfsmaintenance: \(report.btrfsMaintenancePasses.joined(separator: ", "))")
    print("")
    print(report.rendered())
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    try encoder.encode(report).write(to: URL(fileURLWithPath: jsonOutput))
    print("")
    print("JSON: \(URL(fileURLWithPath: jsonOutput).standardizedFileURL.path)")
  }
}
