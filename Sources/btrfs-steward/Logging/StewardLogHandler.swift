import Foundation
import Glibc
import Logging
import Steward

/// btrfs-steward's log handler: one line per record on standard error, with syslog priority
/// prefixes when standard error is the systemd journal and readable `level: message` lines
/// otherwise (see `LogLineFormat`).
struct StewardLogHandler: LogHandler {
  var logLevel: Logger.Level
  var metadata: Logger.Metadata = [:]
  /// Whether standard error is the journal's stream.
  let journald: Bool

  subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  func log(event: LogEvent) {
    var merged = metadata
    if let extra = event.metadata { merged.merge(extra) { $1 } }
    if let error = event.error, merged["error"] == nil { merged["error"] = "\(error)" }
    let line = LogLineFormat.line(
      level: event.level, message: event.message.description, metadata: merged, journald: journald)
    // One write(2) per record, so that lines of concurrent loggers never interleave.
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
  }

  /// Makes every `Logger` of the process use this handler at `level`. Call once, at start-up,
  /// before the first `Logger` is made (swift-log allows a single bootstrap per process).
  static func bootstrap(level: Logger.Level) {
    let journald = standardErrorIsJournal()
    LoggingSystem.bootstrap { _ in StewardLogHandler(logLevel: level, journald: journald) }
  }

  /// Whether `JOURNAL_STREAM` names standard error's device and inode.
  private static func standardErrorIsJournal() -> Bool {
    var status = stat()
    guard fstat(STDERR_FILENO, &status) == 0 else { return false }
    return LogLineFormat.isJournalStream(
      ProcessInfo.processInfo.environment["JOURNAL_STREAM"], device: UInt64(status.st_dev),
      inode: UInt64(status.st_ino))
  }
}
