import Foundation
import Glibc
import SystemPackage

/// Turns a policy file into a validated ``Policy``, or into every problem found in it.
///
/// Loading never touches a filesystem other than reading the file. All problems are collected in one
/// pass; each names the file, line and column of the offending node and says what was expected.
///
/// ```swift
/// do {
///   let policy = try PolicyLoader().load(contentsOfFile: "/etc/btrfs-steward/nightly.yaml")
/// } catch .invalid(let diagnostics) {
///   for diagnostic in diagnostics { print(diagnostic) }  // file:line:column: error: …
/// } catch .unreadable(let file, let reason) { … }
/// ```
public struct PolicyLoader: Sendable {
  /// Policy files larger than this are refused unread.
  public static let maximumFileSize = 1 << 20

  public init() {}

  /// The policy written in `yaml`; `file` names it in diagnostics. Throws only
  /// ``PolicyLoadError/invalid(_:)``.
  public func load(yaml: String, file: String) throws(PolicyLoadError) -> Policy {
    let reader = PolicyReader(file: file)
    do {
      let root = try YAMLParser.parse(yaml)
      if let policy = reader.policy(from: root) { return policy }
    } catch {
      reader.report(error.message, at: error.mark)
    }
    throw .invalid(
      reader.diagnostics.enumerated().sorted {
        ($0.element.line, $0.element.column, $0.offset) < (
          $1.element.line, $1.element.column, $1.offset
        )
      }.map(\.element))
  }

  /// The policy in the file at `path` (which also names it in diagnostics).
  public func load(contentsOfFile path: String) throws(PolicyLoadError) -> Policy {
    try load(yaml: try Self.read(path), file: path)
  }

  /// The policy in the file at `path`, with the digest of the file that plans record. A relative
  /// `path` is recorded absolute, so that a run carried on from another directory finds it again.
  public func loadWithDigest(contentsOfFile path: String) throws(PolicyLoadError) -> LoadedPolicy {
    let text = try Self.read(path)
    return LoadedPolicy(
      policy: try load(yaml: text, file: path), path: Self.absolute(path),
      digest: PolicyDigest.of(Array(text.utf8)))
  }

  /// `path` made absolute against the working directory.
  static func absolute(_ path: String) -> String {
    guard !path.hasPrefix("/") else { return path }
    return FilePath(FileManager.default.currentDirectoryPath).pushing(FilePath(path))
      .lexicallyNormalized().string
  }

  /// The text of the file at `path`, which must be a regular file of UTF-8 text (a leading
  /// byte-order mark is dropped) and at most ``maximumFileSize`` bytes.
  private static func read(_ path: String) throws(PolicyLoadError) -> String {
    var bytes: [UInt8]
    do {
      bytes = try readBytes(path)
    } catch let error as NotARegularFile {
      throw .unreadable(file: path, reason: error.description)
    } catch {
      throw .unreadable(file: path, reason: (error as? Errno)?.description ?? "\(error)")
    }
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
    guard bytes.count <= maximumFileSize else {
      throw .unreadable(file: path, reason: "larger than \(maximumFileSize) bytes")
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw .unreadable(file: path, reason: "not UTF-8 text")
    }
    return text
  }

  /// The bytes of the file at `path`, stopping once there are more than ``maximumFileSize``. The
  /// file is opened without blocking and must be a regular file, so a FIFO or a device named as
  /// the policy is refused at once instead of hanging the command.
  private static func readBytes(_ path: String) throws -> [UInt8] {
    let descriptor = try FileDescriptor.open(
      FilePath(path), .readOnly, options: [.nonBlocking, .closeOnExec])
    return try descriptor.closeAfter {
      var status = stat()
      guard fstat(descriptor.rawValue, &status) == 0 else { throw Errno(rawValue: errno) }
      guard status.st_mode & S_IFMT == S_IFREG else { throw NotARegularFile() }
      var bytes: [UInt8] = []
      var chunk = [UInt8](repeating: 0, count: 64 << 10)
      while bytes.count <= maximumFileSize {
        let count = try chunk.withUnsafeMutableBytes { try descriptor.read(into: $0) }
        if count == 0 { break }
        bytes += chunk[..<count]
      }
      return bytes
    }
  }
}

/// The policy path names something other than a regular file (a FIFO, a device, a directory).
private struct NotARegularFile: Error, CustomStringConvertible {
  var description: String { "not a regular file" }
}
