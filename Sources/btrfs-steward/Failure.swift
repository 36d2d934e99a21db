import ArgumentParser
import Btrfs
import Foundation
import Logging
import Steward

/// The process's logger: every warning and error goes through it (see `StewardLogHandler`).
let stewardLog = Logger(label: "btrfs-steward")

/// Reports an error: `btrfs-steward: error: …` on standard error, or at error priority in the
/// journal, with `fields` (fsid, mountpoint, policy…) as journal fields.
func printError(_ message: String, fields: Logger.Metadata = [:]) {
  stewardLog.error("\(message)", metadata: fields)
}

/// Reports policy diagnostics, already in the `file:line:column: error: …` form, at error priority.
func printDiagnostics(_ diagnostics: [PolicyDiagnostic]) {
  for diagnostic in diagnostics {
    stewardLog.error("\(diagnostic.description)", metadata: [LogLineFormat.locatedKey: "true"])
  }
}

/// Runs a kernel-face operation; on failure prints what failed and exits with its documented status.
func withExitStatus<Result>(_ body: () throws(BtrfsError) -> Result) throws -> Result {
  do {
    return try body()
  } catch {
    printError(error.description)
    throw ExitCode(ExitStatus(error).rawValue)
  }
}

/// Loads a policy file; on failure prints every diagnostic and exits with the invalid-input status.
func loadPolicyOrExit(_ path: String) throws -> LoadedPolicy {
  do {
    return try PolicyLoader().loadWithDigest(contentsOfFile: path)
  } catch .invalid(let diagnostics) {
    printDiagnostics(diagnostics)
    throw ExitCode(ExitStatus.invalidInput.rawValue)
  } catch .unreadable(let file, let reason) {
    printError("cannot read policy \(file): \(reason)", fields: ["policy": "\(file)"])
    throw ExitCode(ExitStatus.invalidInput.rawValue)
  }
}
