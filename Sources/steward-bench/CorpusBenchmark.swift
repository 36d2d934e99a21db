import ArgumentParser
import Btrfs
import Foundation
import Steward

/// Builds the corpus of real loop-device filesystems (``CorpusKinds``) and on each runs
/// btrfs-steward plan → run → plan → run, python-btrfs's least-used balance and `btrfs balance
/// -dusage` on copies of the same image, and prints what was predicted beside what happened.
struct CorpusBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "corpus",
    abstract:
      "Plan → run → plan → run btrfs-steward on a corpus of hard filesystems; compare its "
      + "predictions with the kernel's results and with python-btrfs and btrfs balance -dusage.",
    discussion: """
      Each kind (single, dup, raid1 on unequal devices, raid10, mixed, nearly full, one light \
      block group among full ones, many small files, compressed, reflinked, preallocated) is \
      built once on sparse loop devices and unmounted; then copy 1 gets btrfs-steward (a \
      least-used policy selecting data block groups used below USAGE.5 %, what -u USAGE selects): \
      plan --json, run, plan --json, run; copy 2 python-btrfs's btrfs-balance-least-used -u USAGE; \
      copy 3 btrfs balance start -dusage=DUSAGE. Gains are unallocated bytes after minus before \
      (settled layouts); btrfs-steward's real bytes moved are the journal's (each block group's \
      used bytes when it was relocated); bytes moved per byte regained compare every tool by the \
      same measure, the used bytes of the data block groups present before and gone after. \
      Prints one line per image, the targets, MET or MISSED, and writes JSON.
      """
  )

  @Option(help: "The usage threshold in percent of the least-used contenders.")
  var usage = 50

  @Option(help: "The usage filter of the `btrfs balance -dusage` contender.")
  var dusage = 50

  @Option(help: "Only these kinds (comma-separated names); all by default.")
  var kinds: String?

  @Option(help: "The python interpreter that has python-btrfs.")
  var python = "/usr/bin/python3"

  @Option(help: "Where to write the results as JSON.")
  var jsonOutput = "corpus-benchmark.json"

  func run() throws {
    guard geteuid() == 0 else { throw BenchmarkFailure("corpus needs root") }
    Interruption.install()
    let steward = try stewardExecutable()
    let chosen = kinds.map { Set($0.split(separator: ",").map(String.init)) }
    let selected = CorpusKinds.all.filter { chosen?.contains($0.name) ?? true }
    guard !selected.isEmpty else { throw BenchmarkFailure("no such kind: \(kinds ?? "")") }
    let workdir = URL(fileURLWithPath: NSTemporaryDirectory())
      .appendingPathComponent("steward-bench-corpus-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(at: workdir) }
    var results: [CorpusResult] = []
    var deviceResults: [DeviceCorpusResult] = []
    var failures: [String] = []
    for kind in selected {
      try Interruption.check()
      do {
        if let change = kind.deviceChange {
          deviceResults.append(
            try measureDevices(kind, change, steward: steward, in: workdir))
          continue
        }
        results.append(try measure(kind, steward: steward, in: workdir))
      } catch let failure as BenchmarkFailure where failure.description == "interrupted" {
        throw failure
      } catch {
        print("  \(kind.name) FAILED: \(error)")
        failures.append("\(kind.name): \(error)")
      }
    }
    let report = CorpusReport(
      usage: usage, dusage: dusage, results: results, deviceResults: deviceResults,
      failures: failures)
    print("")
    print(report.rendered())
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try encoder.encode(report).write(to: URL(fileURLWithPath: jsonOutput))
    print("")
    print("JSON: \(URL(fileURLWithPath: jsonOutput).standardizedFileURL.path)")
  }

  /// Builds `kind` and measures every contender on copies of it.
  private func measure(_ kind: CorpusKind, steward: String, in workdir: URL) throws -> CorpusResult
  {
    print("\(kind.name): building…")
    let image = try CorpusImage.build(kind, in: workdir)
    defer { try? FileManager.default.removeItem(at: image.master) }
    let fsid = try image.withCopy(name: "\(kind.name)-probe", in: workdir) { $0.fsid }
    defer { unlink(FilesystemLock.btrfsMaintenanceLockPath(fsid: fsid)) }
    print("\(kind.name): btrfs-steward plan → run → plan → run…")
    let steward = try image.withCopy(name: "\(kind.name)-steward", in: workdir) { copy in
      try StewardRounds(executable: steward, usage: usage).measure(copy)
    }
    print("  data block groups used (%): \(steward.dataUsagesBefore)")
    print("\(kind.name): python-btrfs least-used -u \(usage)…")
    let pythonPeer = try measurePeer(
      image, name: "python", in: workdir, PythonLeastUsed(python: python, usage: usage))
    print("\(kind.name): btrfs balance -dusage=\(dusage)…")
    // On mixed block groups the kernel wants the data and metadata filters to match.
    let usagePeer = try measurePeer(
      image, name: "dusage", in: workdir,
      MatchingUsageBalance(usage: dusage, mixed: kind.hasMixedBlockGroups))
    let result = CorpusResult(
      kind: kind.name, steward: steward, python: pythonPeer, dusage: usagePeer)
    print("  " + result.line)
    return result
  }

  /// Builds the multi-device `kind` and measures btrfs-steward's `change` and its `btrfs balance`
  /// peer on copies of it, device by device.
  private func measureDevices(
    _ kind: CorpusKind, _ change: DeviceChange, steward: String, in workdir: URL
  ) throws -> DeviceCorpusResult {
    print("\(kind.name): building (then btrfs device add)…")
    let image = try CorpusImage.build(kind, in: workdir)
    defer { try? FileManager.default.removeItem(at: image.master) }
    var chunkPerDevice: UInt64 = 0
    print("\(kind.name): btrfs-steward plan → run…")
    let ours = try image.withCopy(name: "\(kind.name)-steward", in: workdir) { copy in
      defer { unlink(FilesystemLock.btrfsMaintenanceLockPath(fsid: copy.fsid)) }
      let layout = try settledLayout(copy.mountpoint)
      // The multi-device kinds hold single (and raid1) data: a stripe is as long as its chunk.
      chunkPerDevice = layout.chunks.filter { $0.flags.type == .data }.map(\.length).max() ?? 0
      return try change.measureSteward(copy, executable: steward)
    }
    let peerCommand = "btrfs balance " + change.peerFilters.joined(separator: " ")
    print("\(kind.name): \(peerCommand)…")
    let peer = try image.withCopy(name: "\(kind.name)-peer", in: workdir) { copy in
      try change.measurePeer(copy)
    }
    let result = DeviceCorpusResult(
      kind: kind.name, chunkPerDevice: chunkPerDevice, steward: ours, peer: peer,
      peerCommand: peerCommand)
    for line in result.lines { print("  " + line) }
    return result
  }

  /// Runs a peer on its own copy and measures it, also when it fails (python-btrfs's least-used
  /// balance refuses mixed block groups: the kernel wants matching data and metadata filters).
  private func measurePeer(
    _ image: CorpusImage, name: String, in workdir: URL, _ tool: some CompactionContender
  ) throws -> PeerResult {
    try image.withCopy(name: "\(image.kind.name)-\(name)", in: workdir) { copy in
      let before = try settledLayout(copy.mountpoint)
      let command = try tool.prepare(copy)
      let log = copy.directory.appendingPathComponent("out.log")
      let run = try ChildRun.run(command, log: log)
      let after = try settledLayout(copy.mountpoint)
      var result = PeerResult(before: before, after: after)
      if run.status != 0 {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        result.failure =
          "exited with \(run.status): " + (text.split(separator: "\n").last.map(String.init) ?? "")
        print("  \(tool.name) \(result.failure!)")
      }
      return result
    }
  }
}

/// What a tool did to a copy, by the measure every tool shares.
struct PeerResult: Codable {
  /// Unallocated bytes gained.
  var regained: Int64
  /// Used bytes of the data block groups present before and gone after.
  var moved: UInt64
  /// How the tool failed, if it did (its figures are then what it did before failing).
  var failure: String?

  init(before: Layout, after: Layout) {
    regained = Int64(after.unallocatedBytes) - Int64(before.unallocatedBytes)
    let remaining = Set(after.blockGroups.map(\.vaddr))
    moved = before.blockGroups.filter {
      ($0.type == .data || $0.type == .mixed) && !remaining.contains($0.vaddr)
    }.reduce(0) { $0 + $1.used }
  }

  init(regained: Int64, moved: UInt64) {
    self.regained = regained
    self.moved = moved
  }

  /// Bytes moved per byte regained; `nil` when nothing was regained.
  var movedPerRegained: Double? { regained > 0 ? Double(moved) / Double(regained) : nil }
}

/// `btrfs balance start -dusage=USAGE`, with `-musage=USAGE` too on mixed block groups (the kernel
/// refuses a data filter alone there).
struct MatchingUsageBalance: CompactionContender {
  var usage: Int
  var mixed: Bool
  var name: String { "btrfs balance -dusage=\(usage)" + (mixed ? " -musage=\(usage)" : "") }

  func prepare(_ copy: MountedCopy) throws -> [String] {
    let btrfs = try Command.run(["sh", "-c", "command -v btrfs"])
      .trimmingCharacters(in: .whitespacesAndNewlines)
    return [btrfs, "balance", "start", "-dusage=\(usage)"]
      + (mixed ? ["-musage=\(usage)"] : []) + [copy.mountpoint]
  }
}
