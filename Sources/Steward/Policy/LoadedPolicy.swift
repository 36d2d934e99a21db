/// A policy together with the file it came from and that file's digest.
public struct LoadedPolicy: Hashable, Sendable {
  /// The validated policy.
  public var policy: Policy
  /// The file it was read from.
  public var path: String
  /// The digest of the file's bytes (``PolicyDigest``), recorded in plans and journals.
  public var digest: String

  public init(policy: Policy, path: String, digest: String) {
    self.policy = policy
    self.path = path
    self.digest = digest
  }
}
