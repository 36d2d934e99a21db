import Btrfs

extension BalanceArguments {
  /// Whether a balance the kernel reports with `kernel` arguments is the one-block-group operation
  /// these arguments started.
  ///
  /// What identifies the operation is its `vrange`: every type these arguments balance has the same
  /// virtual range in the kernel's arguments, and the kernel balances no other type (except system,
  /// which it adds with the metadata filter whenever metadata is balanced). Everything else may
  /// differ: on every resume, the automatic one at mount included, the kernel's
  /// `update_balance_args()` adds `usage=90` to a type with no usage or convert filter and `soft` to
  /// a convert.
  func isSameOperation(as kernel: BalanceArguments) -> Bool {
    func same(_ ours: BalanceFilter?, _ theirs: BalanceFilter?) -> Bool {
      guard let ours else { return theirs == nil }
      guard let range = ours.virtualRange, let theirs else { return false }
      return theirs.virtualRange == range
    }
    let systemMatches =
      system == nil
      ? kernel.system == nil || (metadata != nil && same(metadata, kernel.system))
      : same(system, kernel.system)
    return (data != nil || metadata != nil || system != nil)
      && same(data, kernel.data) && same(metadata, kernel.metadata) && systemMatches
  }
}
