import Foundation
import Glibc
import Steward
import Testing

/// A datagram socket bound in a temporary directory, standing in for journald's: what
/// btrfs-steward sends to the journal can be read back and parsed.
final class TestJournalSocket {
  let path: String
  private let directory: URL
  private let descriptor: Int32

  init() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "steward-journal-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    path = directory.appendingPathComponent("socket").path
    descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    try #require(descriptor >= 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
      for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
    }
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
      }
    }
    try #require(bound == 0, "bind: errno \(errno)")
  }

  deinit {
    close(descriptor)
    try? FileManager.default.removeItem(at: directory)
  }

  /// Every datagram received so far, parsed; without waiting.
  func received() -> [[(name: String, value: String)]] {
    var entries: [[(name: String, value: String)]] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let count = buffer.withUnsafeMutableBytes {
        recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT))
      }
      guard count > 0 else { return entries }
      if let fields = JournalEntry.parse(Array(buffer[0..<count])) {
        entries.append(fields)
      } else {
        Issue.record("a malformed datagram of \(count) bytes")
      }
    }
  }
}

/// A journal entry's field by name.
func field(_ entry: [(name: String, value: String)], _ name: String) -> String? {
  entry.first { $0.name == name }?.value
}

/// What a btrfs-steward run under a simulated journal left: its status, what it wrote on its two
/// streams, and the journal entries it sent.
struct JournaledRun {
  var status: Int32
  var standardOutput: String
  var standardError: String
  var entries: [[(name: String, value: String)]]
}

/// Runs the built btrfs-steward as systemd would with `StandardError=journal`: `JOURNAL_STREAM`
/// names its standard error's device and inode, and the debug build's test hook points its
/// journal socket at a test socket (or, with `journalListens` false, at a path nobody listens on).
func stewardUnderJournal(_ arguments: [String], journalListens: Bool = true) throws
  -> JournaledRun
{
  let receiver = try TestJournalSocket()
  let directory = FileManager.default.temporaryDirectory
    .appendingPathComponent("steward-journaled-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: directory) }
  let outputURL = directory.appendingPathComponent("out")
  let errorURL = directory.appendingPathComponent("err")
  _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
  _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
  let errors = try FileHandle(forWritingTo: errorURL)
  var status = stat()
  try #require(fstat(errors.fileDescriptor, &status) == 0)
  let process = Process()
  process.executableURL = URL(fileURLWithPath: stewardExecutable())
  process.arguments = arguments
  var environment = ProcessInfo.processInfo.environment
  environment["PATH"] = IntegrationEnvironment.searchPath
  environment["JOURNAL_STREAM"] = "\(status.st_dev):\(status.st_ino)"
  environment["BTRFS_STEWARD_TEST_JOURNAL_SOCKET"] =
    journalListens ? receiver.path : directory.appendingPathComponent("nobody").path
  process.environment = environment
  process.standardOutput = try FileHandle(forWritingTo: outputURL)
  process.standardError = errors
  process.standardInput = FileHandle.nullDevice
  try process.run()
  process.waitUntilExit()
  return JournaledRun(
    status: process.terminationStatus,
    standardOutput: try String(contentsOf: outputURL, encoding: .utf8),
    standardError: try String(contentsOf: errorURL, encoding: .utf8),
    entries: receiver.received())
}
