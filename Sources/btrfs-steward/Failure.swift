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
