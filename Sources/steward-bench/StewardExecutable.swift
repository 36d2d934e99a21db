import Foundation

/// The btrfs-steward binary built beside this steward-bench (`swift build -c release` puts both in
/// one directory): the benchmarks run it as an administrator would.
func stewardExecutable() throws -> String {
  let path = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    .appendingPathComponent("btrfs-steward").path
  guard FileManager.default.isExecutableFile(atPath: path) else {
    throw BenchmarkFailure("no btrfs-steward next to steward-bench (\(path)): build it too")
  }
  return path
}
