import Foundation

/// Runs the built `btrfs-steward` executable (it sits next to the test bundle) with `arguments`.
func steward(_ arguments: [String], asUser user: String? = nil) throws -> CommandResult {
  let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    .appendingPathComponent("btrfs-steward").path
  guard FileManager.default.isExecutableFile(atPath: executable) else {
    throw MissingPrerequisites(missing: ["the built btrfs-steward executable at \(executable)"])
  }
  if let user {
    return try execute(
      ["setpriv", "--reuid=\(user)", "--regid=\(user)", "--clear-groups", executable] + arguments)
  }
  return try execute([executable] + arguments)
}
