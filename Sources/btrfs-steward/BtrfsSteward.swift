import ArgumentParser
import Steward

@main
struct BtrfsSteward: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "btrfs-steward",
    abstract: "Policy-driven balance and maintenance scheduler for btrfs.",
    discussion: """
      btrfs-steward reads the live block-group layout of a btrfs filesystem, evaluates a YAML policy \
      into a plan of balance operations, and runs that plan with progress, pause, resume and cancel.

      Exit statuses:
      \(ExitStatus.helpTable)
      """,
    version: versionText,
    subcommands: [
      DemoCommand.self,
      UsageCommand.self,
      PlanCommand.self,
      LayoutCommand.self,
      ValidateCommand.self,
      RunCommand.self,
      StatusCommand.self,
      PauseCommand.self,
      ResumeCommand.self,
      CancelCommand.self,
      ScrubCommand.self,
      CheckCommand.self,
      TrimCommand.self,
      SystemdCommand.self,
    ]
  )

  /// Sets up logging (journald priorities under systemd), then parses and runs the command.
  static func main() {
    StewardLogHandler.bootstrap()
    main(nil)
  }
}

/// What `--version` prints: the package's version, and the commit it was built from when known.
let versionText = packageVersion + (gitDescription.map { " (git \($0))" } ?? "")
