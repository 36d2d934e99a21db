import Foundation
import Steward

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

extension MountedCopy {
  /// What `btrfs-steward plan --json` (the binary at `executable`) plans with the policy in
  /// `policyFile` on this copy; its output is kept as `NAME.json` and its errors as `NAME.log` in
  /// the copy's directory.
  func plan(executable: String, policyFile: String, name: String = "plan") throws -> Plan {
    let planFile = directory.appendingPathComponent("\(name).json")
    _ = try ChildRun.succeeding(
      [executable, "plan", "--json", "--policy", policyFile, mountpoint], log: planFile,
      errorLog: directory.appendingPathComponent("\(name).log"))
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return try decoder.decode(Plan.self, from: Data(contentsOf: planFile))
  }
}
