import Btrfs

/// Everything that can go wrong while preparing or running a maintenance job.
public enum MaintenanceFailure: Error, Sendable, CustomStringConvertible {
  case refused(MaintenanceRefusal)
  case kernel(BtrfsError)
  case journal(JournalError)

  public var description: String {
    switch self {
    case .refused(let refusal): refusal.description
    case .kernel(let error): error.description
    case .journal(let error): error.description
    }
  }

  public var exitStatus: ExitStatus {
    switch self {
    case .refused(let refusal): refusal.exitStatus
    case .kernel(let error): ExitStatus(error)
    case .journal: .failure
    }
  }
}
