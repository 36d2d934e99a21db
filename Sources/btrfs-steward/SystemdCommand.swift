import ArgumentParser
import Foundation
import Logging
import Steward

/// `btrfs-steward systemd …`: helpers for running policies from systemd timers.
struct SystemdCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "systemd",
    abstract: "Set up systemd timers for policies.",
    subcommands: [InstallTimer.self]
  )
}

extension SystemdCommand {
  /// `btrfs-steward systemd install-timer NAME --on-calendar EXPR…`: writes a timer drop-in.
  struct InstallTimer: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "install-timer",
      abstract: "Give one policy's timer its own schedule.",
      discussion: """
        The template units btrfs-steward@.service and btrfs-steward@.timer run the policy \
        /etc/btrfs-steward/NAME.yaml as btrfs-steward@NAME, every night at 01:30 by default. This \
        command writes the drop-in UNIT-DIR/btrfs-steward@NAME.timer.d/schedule.conf, which \
        replaces that schedule with the given calendar expressions (systemd.time(7)), and prints \
        the systemctl commands that load and start the timer; it runs none of them. Each \
        expression is checked with `systemd-analyze calendar` when systemd-analyze is installed.

        Example: btrfs-steward systemd install-timer weekly-gentle --on-calendar "Sun 23:15"
        """
    )

    @OptionGroup var logging: LogOptions

    @Argument(help: "The policy's name: the timer runs /etc/btrfs-steward/<name>.yaml.")
    var name: String

    @Option(
      name: .customLong("on-calendar"),
      help: ArgumentHelp(
        "When the timer elapses, as a systemd calendar expression (repeatable).",
        valueName: "expression"))
    var calendars: [String] = []

    @Option(
      help: ArgumentHelp(
        "A random delay of up to this time span before each run (default 30min).",
        valueName: "timespan"))
    var randomizedDelay: String?

    @Option(help: "The systemd unit directory to write the drop-in into.", completion: .directory)
    var unitDir = "/etc/systemd/system"

    func run() throws {
      let dropIn: TimerDropIn
      do {
        dropIn = try TimerDropIn(
          instance: name, calendars: calendars, randomizedDelay: randomizedDelay)
      } catch {
        throw ValidationError(error.description)
      }
      for calendar in dropIn.calendars {
        try SystemdAnalyze.check("calendar", calendar, what: "calendar expression")
      }
      if let delay = dropIn.randomizedDelay {
        try SystemdAnalyze.check("timespan", delay, what: "time span")
      }
      let path = dropIn.path(unitDirectory: unitDir)
      do {
        try FileManager.default.createDirectory(
          atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
          attributes: [.posixPermissions: 0o755])
        try Data(dropIn.text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
      } catch {
        printError("cannot write \(path): \(error.localizedDescription)")
        throw ExitCode(ExitStatus.failure.rawValue)
      }
      if !FileManager.default.fileExists(atPath: dropIn.policyPath) {
        stewardLog.warning(
          "\(dropIn.policyPath) does not exist yet; the timer's runs fail until it does")
      }
      print(
        """
        Wrote \(path):
        \(dropIn.text)
        To load the schedule and start the timer, run:
          systemctl daemon-reload
          systemctl enable --now \(dropIn.timerUnit)
        and check its next run with: systemctl list-timers '\(dropIn.timerUnit)'
        """)
    }
  }
}

/// Checks values with `systemd-analyze`, when it is installed.
private enum SystemdAnalyze {
  /// Runs `systemd-analyze VERB VALUE`; a non-zero exit is a validation error quoting its message.
  static func check(_ verb: String, _ value: String, what: String) throws {
    guard let executable = locate() else { return }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = [verb, value]
    let errors = Pipe()
    process.standardOutput = FileHandle.nullDevice
    process.standardError = errors
    try process.run()
    let message = String(
      decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      let reason = message.trimmingCharacters(in: .whitespacesAndNewlines)
      throw ValidationError("'\(value)' is not a valid \(what): \(reason)")
    }
  }

  private static func locate() -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/systemd-analyze" }
      .first { FileManager.default.isExecutableFile(atPath: $0) }
  }
}
