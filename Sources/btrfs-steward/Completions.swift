import ArgumentParser

/// What the shell completions offer for btrfs-steward's arguments.
extension CompletionKind {
  /// Policy files: YAML.
  static let policyFile = CompletionKind.file(extensions: ["yaml", "yml"])
  /// Layout files saved by `layout save`: JSON.
  static let layoutFile = CompletionKind.file(extensions: ["json"])
  /// The mountpoints of the mounted btrfs filesystems, as findmnt(8) lists them.
  static let btrfsMountpoint = CompletionKind.shellCommand(
    "findmnt --list --noheadings --types btrfs --output TARGET")
}
