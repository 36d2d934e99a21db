import ArgumentParser
import Foundation
import Steward

/// `btrfs-steward validate FILE…`: loads and checks policy files without touching any filesystem.
struct ValidateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Check policy files for mistakes, without touching any filesystem.",
    discussion: """
      Every problem in every file is reported, each as `FILE:LINE:COLUMN: error: MESSAGE` on \
      standard error (the format editors and CI logs understand); a valid file is confirmed on \
      standard output with its policy name and number of rules. The schema is described in \
      docs/policy-reference.md.

      Exits with 0 when every file is valid, and with \(ExitStatus.invalidInput.rawValue) when any \
      file is invalid or cannot be read.
      """
  )

  @Argument(help: "The policy files to check.", completion: .policyFile)
  var files: [String]

  @OptionGroup var output: OutputOptions

  func run() throws {
    let results = files.map(FileResult.init(checking:))
    if output.json {
      try printJSON(Report(valid: results.allSatisfy(\.valid), files: results), schema: .validate)
    } else {
      for result in results { result.print() }
    }
    if !results.allSatisfy(\.valid) {
      throw ExitCode(ExitStatus.invalidInput.rawValue)
    }
  }
}

extension ValidateCommand {
  /// What `--json` prints.
  struct Report: Encodable {
    /// Whether every file is a valid policy.
    var valid: Bool
    /// One entry per file, in the order given.
    var files: [FileResult]
  }

  /// The outcome of checking one file.
  struct FileResult: Encodable {
    var file: String
    var valid: Bool
    /// The policy's name, when valid.
    var policy: String?
    /// The number of rules, when valid.
    var rules: Int?
    /// Why the file could not be read, when it could not.
    var unreadable: String?
    /// Every problem found; empty when valid or unreadable.
    var diagnostics: [PolicyDiagnostic]

    init(checking file: String) {
      self.file = file
      diagnostics = []
      do {
        let policy = try PolicyLoader().load(contentsOfFile: file)
        valid = true
        self.policy = policy.name
        rules = policy.rules.count
      } catch {
        valid = false
        switch error {
        case .unreadable(_, let reason): unreadable = reason
        case .invalid(let found): diagnostics = found
        }
      }
    }

    /// Prints the result for a person: confirmation on standard output, problems on standard error.
    func print() {
      if let policy, let rules {
        Swift.print("\(file): ok (policy '\(policy)', \(rules) rule\(rules == 1 ? "" : "s"))")
      } else if let unreadable {
        printError("cannot read the policy \(file): \(unreadable)", fields: ["policy": "\(file)"])
      } else {
        printDiagnostics(diagnostics)
      }
    }
  }
}
