import Foundation

/// A command that exited with a non-zero status.
struct CommandFailed: Error, CustomStringConvertible {
  var command: [String]
  var status: Int32
  var output: String

  var description: String {
    "`\(command.joined(separator: " "))` exited \(status): \(output)"
  }
}

/// The result of a finished command.
struct CommandResult {
  var status: Int32
  var standardOutput: String
  var standardError: String
}

/// Runs a program (looked up on PATH) and returns what it printed; throws when it fails.
@discardableResult
func shell(_ arguments: String...) throws -> String {
  try shell(arguments)
}

/// Runs a program with `arguments` and returns what it printed; throws when it fails.
@discardableResult
func shell(_ arguments: [String]) throws -> String {
  let result = try execute(arguments)
  guard result.status == 0 else {
    throw CommandFailed(
      command: arguments, status: result.status,
      output: result.standardError + result.standardOutput)
  }
  return result.standardOutput
}

/// Runs a program and returns its status and output, whatever the status. Output goes through
/// temporary files, so a chatty command can never block on a full pipe.
func execute(_ arguments: [String], environment: [String: String]? = nil) throws -> CommandResult {
  let directory = FileManager.default.temporaryDirectory
    .appendingPathComponent("steward-cmd-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: directory) }
  let outputURL = directory.appendingPathComponent("out")
  let errorURL = directory.appendingPathComponent("err")
  _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
  _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = arguments
  var processEnvironment = environment ?? ProcessInfo.processInfo.environment
  processEnvironment["PATH"] = IntegrationEnvironment.searchPath
  process.environment = processEnvironment
  process.standardOutput = try FileHandle(forWritingTo: outputURL)
  process.standardError = try FileHandle(forWritingTo: errorURL)
  process.standardInput = FileHandle.nullDevice
  try process.run()
  process.waitUntilExit()
  return CommandResult(
    status: process.terminationStatus,
    standardOutput: try String(contentsOf: outputURL, encoding: .utf8),
    standardError: try String(contentsOf: errorURL, encoding: .utf8))
}
