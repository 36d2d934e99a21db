import SystemPackage

/// Why the journal could not be read or written. Each case names the file.
public enum JournalError: Error, Hashable, Sendable, CustomStringConvertible {
  /// A system call on the journal or its directory failed.
  case io(operation: String, path: String, errno: Errno)
  /// The path is a symbolic link or not a regular file; the journal never follows links.
  case notARegularFile(path: String)
  /// A record could not be encoded.
  case unencodable(reason: String)
  /// The state directory or the journal could have been written by someone else: it is not owned
  /// by the user running btrfs-steward (root), or group or others may write it, or it is a symbolic
  /// link. Nothing in it is trusted.
  case untrusted(path: String, reason: String)

  /// The documented exit status.
  public var exitStatus: ExitStatus {
    switch self {
    case .untrusted, .notARegularFile: .untrustedState
    case .io, .unencodable: .failure
    }
  }

  public var description: String {
    switch self {
    case .io(let operation, let path, let errno):
      "journal: \(operation) \(path) failed: \(errno) (errno \(errno.rawValue))"
    case .notARegularFile(let path):
      "journal: \(path) is a symbolic link or not a regular file; refusing to use it"
    case .unencodable(let reason):
      "journal: cannot encode a record: \(reason)"
    case .untrusted(let path, let reason):
      "journal: refusing \(path): \(reason); it must be owned by root and writable by no one else"
    }
  }
}
