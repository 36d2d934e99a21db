import Foundation
import Steward
import Testing

/// The command line a packager and an administrator see: --version, --help's exit statuses, the
/// shell completions. Needs the built binary only.
@Suite("the command line")
struct CommandLineTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  @Test("--version prints the file VERSION and git describe of the checkout")
  func version() throws {
    let result = try steward(["--version"])
    #expect(result.status == 0)
    let version = try String(
      contentsOf: Self.repository.appendingPathComponent("VERSION"), encoding: .utf8
    ).trimmingCharacters(in: .whitespacesAndNewlines)
    let line = result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(line.hasPrefix(version), "\(line)")
    let describe = try execute([
      "git", "-C", Self.repository.path, "describe", "--tags", "--always", "--dirty",
    ])
    if describe.status == 0 {
      let commit = describe.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
      // The stamp is from the last build; a dirty flag may have changed since.
      let hash = commit.replacingOccurrences(of: "-dirty", with: "")
      #expect(line.contains("(git \(hash)"), "\(line) vs \(commit)")
    }
  }

  @Test("--help lists every exit status with its meaning")
  func helpListsExitStatuses() throws {
    let result = try steward(["--help"])
    #expect(result.status == 0)
    for status in Steward.ExitStatus.allCases {
      #expect(result.standardOutput.contains("  \(status.rawValue)"), "\(status)")
    }
  }

  @Test(
    "completions offer policy files, layout files and btrfs mountpoints in every shell",
    arguments: ["bash", "zsh", "fish"])
  func completions(shell: String) throws {
    let result = try steward(["--generate-completion-script", shell])
    #expect(result.status == 0)
    let script = result.standardOutput
    #expect(script.contains("findmnt --list --noheadings --types btrfs --output TARGET"))
    #expect(script.contains("yaml"))
    #expect(script.contains("json"))
  }

  @Test("--quiet keeps errors, in the one error style; with --verbose it is a usage error")
  func quiet() throws {
    let result = try steward(["validate", "--quiet", "/nonexistent-btrfs-steward.yaml"])
    #expect(result.status == Steward.ExitStatus.invalidInput.rawValue)
    #expect(result.standardError.hasPrefix("btrfs-steward: error: cannot read the policy "))
    let both = try steward(["validate", "--quiet", "--verbose", "x.yaml"])
    #expect(both.status == Steward.ExitStatus.usage.rawValue)
  }
}
