import ArgumentParser
import Btrfs
import Foundation
import Steward

/// Writes a line to standard error.
func printError(_ message: String) {
  FileHandle.standardError.write(Data(("btrfs-steward: " + message + "\n").utf8))
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
    for diagnostic in diagnostics {
      FileHandle.standardError.write(Data((diagnostic.description + "\n").utf8))
    }
    throw ExitCode(ExitStatus.invalidInput.rawValue)
  } catch .unreadable(let file, let reason) {
    printError("cannot read policy \(file): \(reason)")
    throw ExitCode(ExitStatus.invalidInput.rawValue)
  }
}
