import Foundation
import Glibc
import Logging
import Steward
import Synchronization

/// btrfs-steward's one logger: every message a command or run emits, with its priority. Where a
/// record goes depends on standard error:
/// - the journal's stream (`JOURNAL_STREAM` names its device and inode): a native-protocol datagram
///   to journald, with PRIORITY and the record's metadata as fields (FSID, MOUNTPOINT, POLICY, RULE,
///   OPERATION, VADDR, RESULT); a record the socket does not take becomes a `<N>`-prefixed line;
/// - anything else (a terminal, a file): a readable line, errors and warnings as
///   `btrfs-steward: error: …` (see `LogLineFormat`).
/// Everything goes to standard error; standard output is for results.
struct StewardLogHandler: LogHandler {
  /// Where records go.
  enum Destination: Sendable {
    case journal(JournalSocket)
    case journalStream
    case terminal
  }

  let destination: Destination
  var metadata: Logger.Metadata = [:]

  /// The process's threshold, from `--verbose`/`--quiet` (`Verbosity`), for every logger at once.
  var logLevel: Logger.Level {
    get { Verbosity.threshold }
    set {}
  }

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    var merged = metadata
    if let extra = event.metadata { merged.merge(extra) { $1 } }
    if let error = event.error, merged["error"] == nil { merged["error"] = "\(error)" }
    let message = event.message.description
    if case .journal(let socket) = destination,
      socket.send(JournalEntry(level: event.level, message: message, metadata: merged))
    {
      return
    }
    if case .terminal = destination {
      Self.writeLine(
        LogLineFormat.line(level: event.level, message: message, metadata: merged, journald: false))
    } else {
      Self.writeLine(
        LogLineFormat.line(level: event.level, message: message, metadata: merged, journald: true))
    }
  }

  /// One write(2) per record, so that lines of concurrent loggers never interleave.
  private static func writeLine(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
  }

  /// Makes every `Logger` of the process use this handler. Call once, at start-up, before the
  /// first `Logger` is made (swift-log allows a single bootstrap per process).
  static func bootstrap() {
    let destination = self.destination()
    LoggingSystem.bootstrap { _ in StewardLogHandler(destination: destination) }
  }

  private static func destination() -> Destination {
    var status = stat()
    // getenv, not ProcessInfo's environment, which copies every variable into a dictionary first
    // (a million instructions at each start).
    guard fstat(STDERR_FILENO, &status) == 0,
      LogLineFormat.isJournalStream(
        getenv("JOURNAL_STREAM").map { String(cString: $0) }, device: UInt64(status.st_dev),
        inode: UInt64(status.st_ino))
    else { return .terminal }
    return JournalSocket(path: journalSocketPath()).map { .journal($0) } ?? .journalStream
  }

  /// journald's socket; in debug builds (the tests') `BTRFS_STEWARD_TEST_JOURNAL_SOCKET` may name
  /// another, so that a test can read what is sent. A release build always uses journald's.
  private static func journalSocketPath() -> String {
    #if DEBUG
      if let path = ProcessInfo.processInfo.environment["BTRFS_STEWARD_TEST_JOURNAL_SOCKET"] {
        return path
      }
    #endif
    return JournalSocket.systemPath
  }
}

/// How much the process logs: `--quiet` warnings and errors only, `--verbose` debug records too,
/// info and above otherwise.
enum Verbosity {
  private static let level = Atomic<Int>(Logger.Level.info.index)

  /// The lowest level logged.
  static var threshold: Logger.Level {
    Logger.Level.allCases[level.load(ordering: .relaxed)]
  }

  /// Sets the threshold from a command's flags.
  static func set(verbose: Bool, quiet: Bool) {
    let chosen: Logger.Level = quiet ? .warning : verbose ? .debug : .info
    level.store(chosen.index, ordering: .relaxed)
  }
}

extension Logger.Level {
  fileprivate var index: Int { Logger.Level.allCases.firstIndex(of: self)! }
}
