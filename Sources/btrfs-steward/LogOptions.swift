import ArgumentParser

/// `--verbose` and `--quiet`, on every command: how much the logger writes (see `Verbosity`).
struct LogOptions: ParsableArguments {
  @Flag(name: [.short, .long], help: "Log debug messages too.")
  var verbose = false

  @Flag(name: [.short, .long], help: "Log only warnings and errors.")
  var quiet = false

  /// Sets the process's log threshold as soon as the command line is parsed, before the command
  /// runs.
  mutating func validate() throws {
    guard !(verbose && quiet) else {
      throw ValidationError("--verbose and --quiet exclude each other")
    }
    Verbosity.set(verbose: verbose, quiet: quiet)
  }
}
