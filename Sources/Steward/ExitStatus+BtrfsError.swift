import Btrfs
import SystemPackage

extension ExitStatus {
  /// The documented exit status for a kernel-face failure.
  public init(_ error: BtrfsError) {
    switch error {
    case .notBtrfs: self = .notBtrfs
    case .notPermitted: self = .notPermitted
    case .balanceInProgress: self = .foreignBalance
    case .exclusiveOperationInProgress: self = .exclusiveOperation
    case .noSpace: self = .noSpace
    case .systemCall("open", _, let errno) where errno == .noSuchFileOrDirectory:
      self = .notBtrfs
    case .scrubInProgress: self = .foreignScrub
    case .trimNotSupported: self = .trimDeferred
    case .noBalance, .noScrub, .noSuchDevice, .systemCall, .malformedItem: self = .failure
    }
  }
}
