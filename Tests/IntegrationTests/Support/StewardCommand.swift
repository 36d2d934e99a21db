import Foundation

/// The built `btrfs-steward` executable: it sits next to the test bundle.
func stewardExecutable() -> String {
  URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    .appendingPathComponent("btrfs-steward").path
}

/// Runs the built `btrfs-steward` executable with `arguments`, as `user` when given.
func steward(
  _ arguments: [String], asUser user: String? = nil, environment: [String: String] = [:]
) throws -> CommandResult {
  let executable = stewardExecutable()
  guard FileManager.default.isExecutableFile(atPath: executable) else {
    throw MissingPrerequisites(missing: ["the built btrfs-steward executable at \(executable)"])
  }
  let processEnvironment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
  if let user {
    return try execute(
      ["setpriv", "--reuid=\(user)", "--regid=\(user)", "--clear-groups", executable] + arguments,
      environment: processEnvironment)
  }
  return try execute([executable] + arguments, environment: processEnvironment)
}
