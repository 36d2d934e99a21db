import ArgumentParser
import Btrfs
import CBtrfs
import Foundation
import Steward

/// Times reading every block group of a filesystem with many block groups: btrfs-steward against
/// python-btrfs and against a bare loop of TREE_SEARCH_V2 ioctls over the same key range.
struct LayoutReadBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "layout-read",
    abstract:
      "Time reading all block groups: btrfs-steward vs python-btrfs vs bare TREE_SEARCH_V2.",
    discussion: """
      Builds a sparse btrfs image with 256 MiB data chunks and fallocates enough space to create the
      requested number of block groups without writing data, then times each reader. python-btrfs
      (Debian's python3-btrfs, run with /usr/bin/python3) reads block groups the way its tools do:
      the chunk tree, then each block group by its exact key; only the reading loop is timed, not the
      interpreter's start.
      """
  )

  @Option(help: "How many data block groups to create.")
  var blockGroups = 10_000

  @Option(help: "How many timed runs of each reader (the median is printed).")
  var repetitions = 11

  @Option(help: "The python interpreter that has python-btrfs.")
  var python = "/usr/bin/python3"

  @Option(
    help:
      "Measure this mounted btrfs filesystem (without a block-group tree) instead of building one.")
  var existing: String?

  func run() throws {
    if let existing {
      try measure(mountpoint: existing)
      return
    }
    let chunkSize: UInt64 = 256 << 20
    let dataBytes = UInt64(blockGroups) * chunkSize
    let imageSize = dataBytes + dataBytes / 8 + (8 << 30)
    let image = try ScratchImage(size: "\(imageSize)", prefix: "steward-bench")
    defer { image.remove() }
    let fsid = try FileSystem(path: image.mountpoint).info().fsid
    try Data("\(chunkSize)".utf8).write(
      to: URL(fileURLWithPath: "/sys/fs/btrfs/\(fsid)/allocation/data/chunk_size"))
    print("Creating \(blockGroups) block groups (fallocate \(dataBytes >> 30) GiB)…")
    try Command.run(["fallocate", "-l", "\(dataBytes)", image.mountpoint + "/filler"])
    try Command.run(["btrfs", "filesystem", "sync", image.mountpoint])
    // The kernel keeps working on a filesystem that just grew by thousands of block groups (caching
    // their free space); let it settle so it does not compete with the timed runs.
    Thread.sleep(forTimeInterval: 10)
    try measure(mountpoint: image.mountpoint)
  }

  private func measure(mountpoint: String) throws {
    let fileSystem = try FileSystem(path: mountpoint)

    // One untimed pass of each reader first, so every timed run finds the tree in the page cache.
    let count = try fileSystem.blockGroups().count
    _ = try bareExtentTreeScan(mountpoint)
    // Take turns, one run of each reader per round, so background work of the kernel hits all
    // three alike.
    var steward = ReaderTimes()
    var detailed = ReaderTimes()
    var plain = ReaderTimes()
    var bare = ReaderTimes()
    var pythonTimings = Timings(seconds: [])
    for _ in 0..<repetitions {
      // Each result is dropped after its run is timed: freeing it is not reading it.
      _ = try steward.measure { try fileSystem.blockGroups() }
      _ = try detailed.measure { try fileSystem.detailedLayout() }
      _ = try plain.measure { try fileSystem.layout() }
      _ = try bare.measure { try bareExtentTreeScan(mountpoint) }
      let python = try pythonBtrfsSeconds(mountpoint)
      guard python.count == count else {
        throw BenchmarkFailure("python-btrfs read \(python.count) block groups, steward \(count)")
      }
      pythonTimings.seconds.append(python.seconds)
    }

    print("")
    print(
      "Reading \(count) block groups (extent tree, median of \(repetitions) runs; wall, and CPU")
    print("of all the process's threads, user + system):")
    print("  btrfs-steward                  \(milliseconds(steward.wall.median))")
    print("  whole layout (chunks, devices) \(plain.summary)")
    print("  whole layout with extents      \(detailed.summary)")
    print("  bare TREE_SEARCH_V2 loop       \(bare.summary)")
    print("  python-btrfs 13                \(milliseconds(pythonTimings.median))")
    print("")
    print(
      String(
        format: "  python-btrfs / btrfs-steward = %.1fx faster   (target: at least 20x)",
        pythonTimings.median / steward.wall.median))
    print(
      String(
        format: "  btrfs-steward / bare loop    = %.2fx          (target: within 2x)",
        steward.wall.median / bare.wall.median))
    let ratio = detailed.wall.median / bare.wall.median
    print(
      String(
        format:
          "  layout with extents / bare   = %.2fx wall     (target: within 1.5x; what plan reads): %@",
        ratio, ratio <= 1.5 ? "MET" : "MISSED"))
    print(
      String(
        format:
          "                                 %.2fx CPU      (its chunk-tree read runs on a second thread)",
        detailed.cpu.median / bare.cpu.median))
    print(
      String(
        format: "  layout with extents / without = %.2fx        (the cost of the extent detail)",
        detailed.wall.median / plain.wall.median))
  }

  /// Wall and process CPU times of repeated runs of one reader.
  private struct ReaderTimes {
    var wall = Timings(seconds: [])
    var cpu = Timings(seconds: [])

    /// Runs `body` once, records its wall time and the CPU time of all the process's threads, and
    /// returns what it read.
    mutating func measure<Value>(_ body: () throws -> Value) rethrows -> Value {
      let cpuStart = Self.processCPUSeconds()
      let start = DispatchTime.now().uptimeNanoseconds
      let value = try body()
      wall.seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
      cpu.seconds.append(Self.processCPUSeconds() - cpuStart)
      return value
    }

    /// The medians, in words.
    var summary: String { "\(milliseconds(wall.median)) (CPU \(milliseconds(cpu.median)))" }

    private static func processCPUSeconds() -> Double {
      var time = timespec()
      clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
      return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
  }

  /// A bare loop of TREE_SEARCH_V2 ioctls over the whole extent-tree key range with a 256 KiB buffer,
  /// decoding nothing but the key needed to continue: the floor any reader of the extent tree pays.
  private func bareExtentTreeScan(_ path: String) throws -> Int {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { throw BenchmarkFailure("cannot open \(path)") }
    defer { close(descriptor) }
    let bufferSize = 256 * 1024
    let header = MemoryLayout<btrfs_ioctl_search_args_v2>.size
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: header + bufferSize, alignment: 8)
    defer { buffer.deallocate() }
    let arguments = buffer.assumingMemoryBound(to: btrfs_ioctl_search_args_v2.self)
    var next = TreeKey.min
    var items = 0
    while true {
      arguments.pointee.key = btrfs_ioctl_search_key(
        tree_id: TreeID.extent, min_objectid: next.objectid, max_objectid: .max,
        min_offset: next.offset, max_offset: .max, min_transid: 0, max_transid: .max,
        min_type: UInt32(next.type), max_type: 255, nr_items: .max,
        unused: 0, unused1: 0, unused2: 0, unused3: 0, unused4: 0)
      arguments.pointee.buf_size = UInt64(bufferSize)
      guard cbtrfs_ioctl_pointer(descriptor, CBTRFS_IOC_TREE_SEARCH_V2, buffer) == 0 else {
        throw BenchmarkFailure("TREE_SEARCH_V2 failed: errno \(errno)")
      }
      let count = Int(arguments.pointee.key.nr_items)
      if count == 0 { return items }
      items += count
      var offset = header
      var last = btrfs_ioctl_search_header()
      for _ in 0..<count {
        last = (buffer + offset).loadUnaligned(as: btrfs_ioctl_search_header.self)
        offset += MemoryLayout<btrfs_ioctl_search_header>.size + Int(last.len)
      }
      guard
        let successor = TreeKey(
          objectid: last.objectid, type: UInt8(last.type), offset: last.offset
        ).successor
      else { return items }
      next = successor
    }
  }

  /// python-btrfs's own time to read every block group, measured inside the interpreter.
  private func pythonBtrfsSeconds(_ mountpoint: String) throws -> (seconds: Double, count: Int) {
    let script = """
      import sys, time, btrfs
      fs = btrfs.FileSystem(sys.argv[1])
      start = time.perf_counter()
      count = 0
      for chunk in fs.chunks():
          fs.block_group(chunk.vaddr, chunk.length)
          count += 1
      print(time.perf_counter() - start, count)
      """
    let words = try Command.run([python, "-c", script, mountpoint]).split(separator: " ")
    guard words.count == 2, let seconds = Double(words[0]),
      let count = Int(words[1].trimmingCharacters(in: .whitespacesAndNewlines))
    else { throw BenchmarkFailure("python-btrfs printed \(words)") }
    return (seconds, count)
  }
}
