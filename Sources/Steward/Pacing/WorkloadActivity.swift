/// Tells whether the workload a policy protects (``Pacing/protectedCgroup``) is doing I/O. The
/// executor looks before each block group, and every ``ProtectedWorkload/lookInterval`` while one
/// is relocated; tests inject their own.
public protocol WorkloadActivity: Sendable {
  /// Whether the workload did any I/O since the previous look (the first look: since the source
  /// was made).
  func didIO() throws(PressureError) -> Bool
  /// What is watched, for messages: `cgroup /user.slice`.
  var name: String { get }
}
