import ArgumentParser
import Steward

/// Where runs keep their journal and locks.
struct StateOptions: ParsableArguments {
  @Option(help: "The directory of the per-filesystem journals.", completion: .directory)
  var stateDir = "/var/lib/btrfs-steward"

  @Option(help: "The directory of btrfs-steward's per-filesystem locks.", completion: .directory)
  var runtimeDir = "/run/btrfs-steward"

  /// The environment of a job with these directories.
  func environment(wait: Bool = false) -> JobEnvironment {
    JobEnvironment(stateDirectory: stateDir, runtimeDirectory: runtimeDir, wait: wait)
  }
}
