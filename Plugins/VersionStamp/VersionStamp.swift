import Foundation
import PackagePlugin

/// Writes `BuildVersion.swift` into the build directory before every build of a target: the
/// package's version from the file VERSION and, in a git checkout, `git describe` of the commit
/// (nothing when the sources are not in git, as in a release tarball). Runs git locally only; no
/// network.
@main
struct VersionStamp: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
    let output = context.pluginWorkDirectoryURL.appendingPathComponent("generated")
    let package = context.package.directoryURL.path
    return [
      .prebuildCommand(
        displayName: "Stamping btrfs-steward's version",
        executable: URL(fileURLWithPath: "/bin/sh"),
        arguments: [
          context.package.directoryURL.appendingPathComponent("Plugins/VersionStamp/stamp.sh")
            .path,
          package, output.appendingPathComponent("BuildVersion.swift").path,
        ],
        outputFilesDirectory: output)
    ]
  }
}
