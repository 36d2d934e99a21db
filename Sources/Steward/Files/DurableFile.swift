import Glibc
import SystemPackage

/// The one way btrfs-steward replaces a file it owns (the journal's compaction, the metrics file,
/// layout files, timer drop-ins) so that a reader sees the old file or the new one, never half, a
/// crash leaves one of them, and nothing planted in the directory is trusted:
///
/// - the directory is opened without following a symbolic link, and everything after happens
///   relative to that open directory;
/// - the new contents go to a temporary file with an unpredictable name (`.<name>.<random>.tmp`),
///   created with `O_CREAT|O_EXCL|O_NOFOLLOW|O_NONBLOCK`, so a file, link or FIFO planted at any
///   name is never opened, written through or waited on;
/// - the file gets exactly `mode` (not masked by the umask) and belongs to the user running
///   btrfs-steward, as any file it creates;
/// - it is fsync'd, renamed over the target (a symbolic link at the target is replaced, never
///   followed), and the directory is fsync'd.
public enum DurableFile {
  /// Replaces the file at `path` with `bytes`, with permissions `mode`.
  public static func replace(
    _ path: String, with bytes: some Collection<UInt8>, mode: mode_t
  ) throws(DurableFileError) {
    let (directoryPath, name) = split(path)
    let directory = Glibc.open(directoryPath, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
    guard directory >= 0 else { throw .failed("open the directory of", path) }
    defer { close(directory) }
    let (descriptor, temporary) = try createTemporary(in: directory, for: name, path: path, mode)
    do throws(DurableFileError) {
      defer { close(descriptor) }
      guard fchmod(descriptor, mode) == 0 else { throw .failed("chmod", path) }
      try writeAll(Array(bytes), to: descriptor, path: path)
      guard fsync(descriptor) == 0 else { throw .failed("fsync", path) }
      guard renameat(directory, temporary, directory, name) == 0 else {
        throw .failed("rename", path)
      }
    } catch {
      unlinkat(directory, temporary, 0)
      throw error
    }
    guard fsync(directory) == 0 else { throw .failed("fsync the directory", directoryPath) }
  }

  /// The directory and the name of `path`.
  private static func split(_ path: String) -> (directory: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let directory = String(path[..<slash])
    return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
  }

  /// Creates a new temporary file next to `name` in `directory`, with a name nobody can predict.
  private static func createTemporary(
    in directory: Int32, for name: String, path: String, _ mode: mode_t
  ) throws(DurableFileError) -> (descriptor: Int32, name: String) {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<8 {
      let random = String(generator.next() as UInt64, radix: 16)
      let temporary = ".\(name).\(random).tmp"
      let descriptor = openat(
        directory, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
        mode)
      if descriptor >= 0 { return (descriptor, temporary) }
      if errno != EEXIST { throw .failed("create a temporary file for", path) }
    }
    throw .failed("create a temporary file for", path)
  }

  private static func writeAll(
    _ bytes: [UInt8], to descriptor: Int32, path: String
  ) throws(DurableFileError) {
    var written = 0
    while written < bytes.count {
      let count = bytes[written...].withUnsafeBytes {
        Glibc.write(descriptor, $0.baseAddress, $0.count)
      }
      if count < 0 {
        if errno == EINTR { continue }
        throw .failed("write", path)
      }
      written += count
    }
  }
}

/// A file could not be replaced durably: what was being done, to which path, and the errno.
public struct DurableFileError: Error, Hashable, Sendable, CustomStringConvertible {
  /// What was being done: `create a temporary file for`, `write`, `fsync`, `rename`….
  public var operation: String
  /// The file or directory it was done to.
  public var path: String
  /// Why it failed.
  public var errno: Errno

  public init(operation: String, path: String, errno: Errno) {
    self.operation = operation
    self.path = path
    self.errno = errno
  }

  /// The error of the system call that just failed, read from `errno` (the one place it is read).
  static func failed(_ operation: String, _ path: String) -> DurableFileError {
    DurableFileError(operation: operation, path: path, errno: Errno(rawValue: Glibc.errno))
  }

  public var description: String {
    "cannot \(operation) \(path): \(errno) (errno \(errno.rawValue))"
  }
}
