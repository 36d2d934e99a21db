import Btrfs

/// Why the executor could not go on. The journal and the kernel are left in a state the next run
/// understands.
public enum ExecutionError: Error, Sendable, CustomStringConvertible {
  /// The kernel failed in a way the run cannot handle.
  case kernel(BtrfsError)
  /// The journal could not be written: the run stops before acting on anything unrecorded.
  case journal(JournalError)

  public var description: String {
    switch self {
    case .kernel(let error): error.description
    case .journal(let error): error.description
    }
  }

  /// The documented exit status.
  public var exitStatus: ExitStatus {
    switch self {
    case .kernel(let error): ExitStatus(error)
    case .journal(let error): error.exitStatus
    }
  }
}
