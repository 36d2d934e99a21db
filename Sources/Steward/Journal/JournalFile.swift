import Foundation
import Glibc
import SystemPackage

/// What reading a journal found.
public struct JournalContents: Sendable {
  /// Every record that decoded, in order.
  public var records: [JournalRecord] = []
  /// 1 when the last line was torn by a crash mid-write (it is ignored), else 0.
  public var ignoredLines = 0
  /// The byte offsets of lines that do not decode although whole: corrupt records, which are left
  /// out of the history and reported.
  public var corruptRecordOffsets: [Int] = []

  /// A warning naming the corrupt records, or `nil` when there are none.
  public func corruptionWarning(path: String) -> String? {
    guard !corruptRecordOffsets.isEmpty else { return nil }
    let offsets = corruptRecordOffsets.prefix(5).map(String.init).joined(separator: ", ")
    let more = corruptRecordOffsets.count > 5 ? ", …" : ""
    return
      "journal \(path): \(corruptRecordOffsets.count) corrupt record(s) ignored (at byte \(offsets)\(more))"
  }
}

/// The append-only journal of one filesystem: `<state directory>/<fsid>.journal`, one JSON record per
/// line. Every append is written whole, and fsync'd before it returns unless the caller says
/// otherwise, so a record is on disk before the action it announces (an fsync also makes the
/// records written before it durable). The file is created with mode 0600 and never through a
/// symbolic link. A crash mid-write can leave a torn last line: reading ignores it, and the next
/// append cuts it off first.
public struct JournalFile: Sendable {
  /// The journal's path.
  public let path: String
  /// The directory holding it.
  public let directory: String

  /// The journal of the filesystem `fsid` under `stateDirectory` (created with mode 0700 if missing).
  ///
  /// - Throws: ``JournalError/untrusted(path:reason:)`` when the directory is a symbolic link or not
  ///   a directory, is not owned by the user running btrfs-steward (root), or is writable by group
  ///   or others.
  public init(stateDirectory: String, fsid: String) throws(JournalError) {
    directory = stateDirectory
    path = stateDirectory + "/" + fsid + ".journal"
    if mkdir(stateDirectory, 0o700) != 0, Glibc.errno != EEXIST {
      throw .io(operation: "mkdir", path: stateDirectory, errno: Errno(rawValue: Glibc.errno))
    }
    let descriptor = Glibc.open(stateDirectory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    guard descriptor >= 0 else {
      let errno = Glibc.errno
      if errno == ELOOP || errno == ENOTDIR {
        throw .untrusted(path: stateDirectory, reason: "it is a symbolic link or not a directory")
      }
      throw .io(operation: "open", path: stateDirectory, errno: Errno(rawValue: errno))
    }
    defer { close(descriptor) }
    try Self.checkTrusted(descriptor, path: stateDirectory)
  }

  /// Refuses the open file `descriptor` (at `path`) unless the user running btrfs-steward owns it
  /// and neither group nor others may write it.
  static func checkTrusted(_ descriptor: Int32, path: String) throws(JournalError) {
    var status = stat()
    guard fstat(descriptor, &status) == 0 else {
      throw .io(operation: "fstat", path: path, errno: Errno(rawValue: Glibc.errno))
    }
    if status.st_uid != geteuid() {
      throw .untrusted(path: path, reason: "it is owned by uid \(status.st_uid)")
    }
    if status.st_mode & (S_IWGRP | S_IWOTH) != 0 {
      let mode = String(status.st_mode & 0o7777, radix: 8)
      throw .untrusted(path: path, reason: "group or others may write it (mode \(mode))")
    }
  }

  /// Appends `record` as one line and fsyncs it.
  public func append(_ record: JournalRecord) throws(JournalError) {
    try append(contentsOf: [record])
  }

  /// Appends `records`, one line each, in one write and, when `durably`, one fsync. A crash leaves
  /// a prefix of them, the last line perhaps torn: what it leaves of separate appends.
  public func append(contentsOf records: [JournalRecord], durably: Bool = true)
    throws(JournalError)
  {
    let lines = try Self.lines(records)
    let descriptor = try openFile(path, .readWrite, options: [.append, .create])
    defer { try? descriptor.close() }
    try cutTornTail(descriptor)
    try write(lines, to: descriptor, path: path, sync: durably)
  }

  /// `records` as the journal stores them: one line each, every line ending in a newline.
  private static func lines(_ records: [JournalRecord]) throws(JournalError) -> [UInt8] {
    var lines: [UInt8] = []
    for record in records {
      lines.append(contentsOf: try record.line())
      lines.append(UInt8(ascii: "\n"))
    }
    return lines
  }

  /// Every whole record, in order, and what could not be read. A journal that does not exist yet
  /// has no records.
  public func read() throws(JournalError) -> JournalContents {
    guard let data = try contents() else { return JournalContents() }
    return Self.parse(data, from: data.startIndex)
  }

  /// The records from the last run's start on: all that the last run's history needs, read from
  /// the end of the file so that `status` and `run` stay fast however long the journal grew.
  /// Records are encoded with sorted keys, so a start record's line begins with
  /// ``runStartedPrefix``.
  public func readLastRun() throws(JournalError) -> JournalContents {
    guard let data = try contents() else { return JournalContents() }
    let prefix = Self.runStartedPrefix
    var end = data.endIndex
    while let newline = data[data.startIndex..<end].lastIndex(of: UInt8(ascii: "\n")) {
      if data[(newline + 1)...].starts(with: prefix) { return Self.parse(data, from: newline + 1) }
      end = newline
    }
    return Self.parse(data, from: data.startIndex)
  }

  /// How every start record's line begins.
  static let runStartedPrefix = Array(#"{"event":{"runStarted":"#.utf8)

  /// The records of `data` from `start`. A last line without its newline is a record torn by a
  /// crash (ignored, and cut off by the next append); any other line that does not decode is
  /// corrupt, and reported by its byte offset.
  private static func parse(_ data: Data, from start: Data.Index) -> JournalContents {
    var contents = JournalContents()
    var lineStart = start
    while lineStart < data.endIndex {
      let newline = data[lineStart...].firstIndex(of: UInt8(ascii: "\n"))
      let line = data[lineStart..<(newline ?? data.endIndex)]
      if !line.isEmpty {
        if let record = try? decoder.decode(JournalRecord.self, from: line) {
          contents.records.append(record)
        } else if newline == nil {
          contents.ignoredLines += 1
        } else {
          contents.corruptRecordOffsets.append(lineStart - data.startIndex)
        }
      }
      guard let newline else { break }
      lineStart = newline + 1
    }
    return contents
  }

  /// Rewrites the journal with only `records`, atomically, through ``DurableFile`` (mode 0600).
  public func replace(with records: [JournalRecord]) throws(JournalError) {
    let lines = try Self.lines(records)
    do {
      try DurableFile.replace(path, with: lines, mode: 0o600)
    } catch {
      throw .io(operation: error.operation, path: error.path, errno: error.errno)
    }
  }

  private static let decoder = JSONCoding.decoder()

  /// Writes all of `data` and, when `sync`, fsyncs the file.
  private func write(_ data: [UInt8], to descriptor: FileDescriptor, path: String, sync: Bool)
    throws(JournalError)
  {
    do {
      try descriptor.writeAll(data)
    } catch let errno as Errno {
      throw .io(operation: "write", path: path, errno: errno)
    } catch {
      throw .io(operation: "write", path: path, errno: .ioError)
    }
    guard !sync || fsync(descriptor.rawValue) == 0 else {
      throw .io(operation: "fsync", path: path, errno: Errno(rawValue: Glibc.errno))
    }
  }

  /// Opens `target` without following a symbolic link, creating it with mode 0600, and checks that
  /// it is a regular file.
  private func openFile(
    _ target: String, _ mode: FileDescriptor.AccessMode, options: FileDescriptor.OpenOptions
  ) throws(JournalError) -> FileDescriptor {
    let descriptor: FileDescriptor
    do {
      // Non-blocking, so that a FIFO planted at the path cannot hang the open; cleared below once
      // the file is known to be a regular one.
      descriptor = try FileDescriptor.open(
        target, mode, options: options.union([.noFollow, .closeOnExec, .nonBlocking]),
        permissions: [.ownerReadWrite], retryOnInterrupt: true)
    } catch let errno as Errno {
      throw errno == .tooManySymbolicLinkLevels
        ? .notARegularFile(path: target) : .io(operation: "open", path: target, errno: errno)
    } catch {
      throw .io(operation: "open", path: target, errno: .ioError)
    }
    var status = stat()
    guard fstat(descriptor.rawValue, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
      try? descriptor.close()
      throw .notARegularFile(path: target)
    }
    do {
      try Self.checkTrusted(descriptor.rawValue, path: target)
    } catch {
      try? descriptor.close()
      throw error
    }
    _ = fcntl(descriptor.rawValue, F_SETFL, fcntl(descriptor.rawValue, F_GETFL) & ~O_NONBLOCK)
    return descriptor
  }

  /// The journal's bytes, or `nil` when it does not exist.
  private func contents() throws(JournalError) -> Data? {
    let descriptor: FileDescriptor
    do {
      descriptor = try openFile(path, .readOnly, options: [])
    } catch .io(_, _, let errno) where errno == .noSuchFileOrDirectory {
      return nil
    }
    defer { try? descriptor.close() }
    var data = Data()
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
      let count: Int
      do {
        count = try buffer.withUnsafeMutableBytes {
          try descriptor.read(into: $0, retryOnInterrupt: true)
        }
      } catch let errno as Errno {
        throw .io(operation: "read", path: path, errno: errno)
      } catch {
        throw .io(operation: "read", path: path, errno: .ioError)
      }
      if count == 0 { return data }
      data.append(contentsOf: buffer[0..<count])
    }
  }

  /// Cuts a torn last line (bytes after the last newline) so the next record starts on a line of
  /// its own. Only the last byte is read unless it shows a torn line, which only a crash leaves.
  private func cutTornTail(_ descriptor: FileDescriptor) throws(JournalError) {
    var status = stat()
    guard fstat(descriptor.rawValue, &status) == 0 else {
      throw .io(operation: "fstat", path: path, errno: Errno(rawValue: Glibc.errno))
    }
    guard status.st_size > 0 else { return }
    var last: UInt8 = 0
    do {
      _ = try withUnsafeMutableBytes(of: &last) {
        try descriptor.read(fromAbsoluteOffset: Int64(status.st_size - 1), into: $0)
      }
    } catch let errno as Errno {
      throw .io(operation: "read", path: path, errno: errno)
    } catch {
      throw .io(operation: "read", path: path, errno: .ioError)
    }
    guard last != UInt8(ascii: "\n"), let data = try contents() else { return }
    let keep = data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
    do {
      try descriptor.resize(to: Int64(keep), retryOnInterrupt: true)
    } catch let errno as Errno {
      throw .io(operation: "truncate", path: path, errno: errno)
    } catch {
      throw .io(operation: "truncate", path: path, errno: .ioError)
    }
  }
}
