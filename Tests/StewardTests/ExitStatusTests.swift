import Foundation
import Steward
import Testing

/// The exit statuses: systemd's names for them do not mislead, and every table of them says the same.
@Suite("Exit statuses")
struct ExitStatusTests {
  /// The sysexits(3) names systemd shows for 64–78 (`status=75/TEMPFAIL`), and the statuses
  /// btrfs-steward gives those numbers because that is what they mean.
  static let sysexitsUsed: [Int32: Steward.ExitStatus] = [
    64: .usage, 65: .invalidInput, 66: .notBtrfs, 69: .unavailable, 75: .paused,
    77: .notPermitted,
  ]

  @Test("64–78 are used only with their sysexits meaning; the rest are 80–99, unnamed by systemd")
  func noMisleadingNames() {
    for status in Steward.ExitStatus.allCases where status != .success && status != .failure {
      if (64...78).contains(status.rawValue) {
        #expect(Self.sysexitsUsed[status.rawValue] == status, "\(status)")
      } else {
        #expect((80...99).contains(status.rawValue), "\(status)")
      }
    }
  }

  @Test("every status has its own number")
  func distinct() {
    #expect(
      Set(Steward.ExitStatus.allCases.map(\.rawValue)).count == Steward.ExitStatus.allCases.count)
  }

  @Test("the README's table is the generated one")
  func readmeTable() throws {
    let readme = try String(
      contentsOf: ToolRun.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
    #expect(
      readme.contains(Steward.ExitStatus.markdownTable + "\n"),
      "README.md:\n\(Steward.ExitStatus.markdownTable)")
  }

  @Test("the man page's EXIT STATUS section lists every status with its meaning")
  func manualTable() throws {
    let text = try String(
      contentsOf: ToolRun.repositoryRoot.appendingPathComponent("docs/man/sections.mdoc"),
      encoding: .utf8)
    #expect(text.contains(Steward.ExitStatus.mdocList))
  }
}
