import Btrfs

extension BalanceArguments {
  /// Whether a balance the kernel reports with `kernel` arguments is the one these arguments started.
  /// The kernel adds a system filter equal to the metadata one when metadata is balanced, so only the
  /// filters these arguments set are compared.
  func isSameBalance(as kernel: BalanceArguments) -> Bool {
    (data == nil || data == kernel.data)
      && (metadata == nil || metadata == kernel.metadata)
      && (system == nil || system == kernel.system)
      && (data != nil) == (kernel.data != nil)
      && (metadata != nil) == (kernel.metadata != nil)
  }
}
