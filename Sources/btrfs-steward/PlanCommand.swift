import ArgumentParser
import Btrfs
import Foundation
import Steward

/// `btrfs-steward plan`: what a policy would do on a filesystem and what it would gain, without moving
/// anything.
struct PlanCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "Show what a policy would do on a filesystem, and what it would gain; moves nothing.",
    discussion: """
      Evaluates the policy's rules against the filesystem's block-group layout and prints the \
      balance operations a run would make, in order (#, address, type/profile, size, used, usage, \
      rule), the predicted totals (bytes relocated, unallocated space before and after, block \
      groups before and after), and for each rule whether it fired and why it stopped. Each \
      relocation is simulated, so the prediction accounts for where the moved bytes land.

      The layout is read from the mounted filesystem at PATH (reading block groups needs root), \
      or from a file saved by `btrfs-steward layout save` with --layout (no root, no btrfs needed). \
      Windows are evaluated now, or at the instant given with --at; outside them the plan is still \
      shown, marked as one a run would not start. max-runtime cannot be predicted.

      Exit status: 0 on success, \(ExitStatus.invalidInput.rawValue) for an invalid policy or \
      layout file, \(ExitStatus.notBtrfs.rawValue) when PATH is not on btrfs, \
      \(ExitStatus.notPermitted.rawValue) without root.
      """
  )

  @Option(
    name: .long, help: ArgumentHelp("The policy file.", valueName: "file"), completion: .policyFile)
  var policy: String

  @Argument(
    help: "The mountpoint, or any path on the filesystem (instead of --layout).",
    completion: .btrfsMountpoint)
  var path: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Plan against a saved layout file instead of a live filesystem.", valueName: "file"),
    completion: .layoutFile)
  var layout: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Evaluate windows at this instant (ISO 8601, for example 2025-01-06T02:00:00Z) instead of now.",
      valueName: "instant"))
  var at: String?

  @OptionGroup var output: OutputOptions
  @OptionGroup var picture: PictureOptions

  func validate() throws {
    guard (path == nil) != (layout == nil) else {
      throw ValidationError(
        "Give either a PATH on a mounted filesystem or --layout FILE, not both.")
    }
    if let at, Self.instant(at) == nil {
      throw ValidationError("--at '\(at)' is not an ISO 8601 instant like 2025-01-06T02:00:00Z.")
    }
  }

  func run() throws {
    let instant = at.flatMap(Self.instant) ?? Date()
    let loaded = try loadPolicyOrExit(policy)
    let layout = try readLayout()
    let plan = try Self.printPlan(loaded, for: layout, at: instant, json: output.json)
    do {
      try picture.write(try BlockGroupPicture(plan: plan, before: layout))
    } catch let error as LayoutError {
      printError("inconsistent layout: \(error)")
      throw ExitCode(ExitStatus.invalidInput.rawValue)
    }
  }

  /// Plans `layout` under `loaded` at `instant` and prints the plan, for people or as JSON; `plan`
  /// and `run --dry-run` both print plans this way.
  @discardableResult
  static func printPlan(_ loaded: LoadedPolicy, for layout: Layout, at instant: Date, json: Bool)
    throws -> Plan
  {
    let plan: Plan
    do {
      plan = try Planner(policy: loaded.policy, policyDigest: loaded.digest).plan(
        for: layout, at: instant)
    } catch {
      printError("inconsistent layout: \(error)")
      throw ExitCode(ExitStatus.invalidInput.rawValue)
    }
    if json {
      try printJSON(plan, schema: .plan)
    } else {
      print(plan.rendered())
    }
    return plan
  }

  /// The layout from the file given with --layout, or read from the filesystem at PATH.
  private func readLayout() throws -> Layout {
    if let layout {
      do {
        return try LayoutFile.read(from: layout)
      } catch {
        printError(error.description)
        throw ExitCode(ExitStatus.invalidInput.rawValue)
      }
    }
    guard let path else { throw ValidationError("Give a PATH or --layout FILE.") }
    return try withExitStatus { () throws(BtrfsError) in try FileSystem(path: path).detailedLayout()
    }
  }

  /// `text` read as an ISO 8601 instant, with or without fractional seconds.
  private static func instant(_ text: String) -> Date? {
    (try? Date(text, strategy: .iso8601))
      ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
  }
}
