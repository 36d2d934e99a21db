import Foundation
import Testing

/// `make install` and `make deb` end to end: a static release build (minutes, once: both use the
/// build directory .build-install, one after the other), the installed tree, the package, and the
/// binary running without the Swift runtime.
@Suite("make install", .serialized)
struct InstallTests {
  static let enabled =
    ToolRun.isCI || ProcessInfo.processInfo.environment["STEWARD_SLOW_TESTS"] == "1"

  static let policies = [
    "after-adding-a-disk.yaml", "convert-to-raid1.yaml", "emergency-nearly-full.yaml",
    "hourly-error-watch.yaml", "laptop-on-ac.yaml", "make-way-for-users.yaml", "monthly-scrub.yaml",
    "nightly-compaction.yaml", "weekly-gentle.yaml",
  ]

  /// Every file `make install` puts under DESTDIR with the default PREFIX.
  static let installedFiles: Set<String> = Set(
    [
      "usr/local/bin/btrfs-steward",
      "usr/local/lib/systemd/system/btrfs-steward@.service",
      "usr/local/lib/systemd/system/btrfs-steward@.timer",
      "usr/local/lib/systemd/system/btrfs-steward-scrub@.service",
      "usr/local/lib/systemd/system/btrfs-steward-scrub@.timer",
      "usr/local/lib/systemd/system/btrfs-steward-check@.service",
      "usr/local/lib/systemd/system/btrfs-steward-check@.timer",
      "usr/local/lib/systemd/system/btrfs-steward-trim@.service",
      "usr/local/lib/systemd/system/btrfs-steward-trim@.timer",
      "usr/local/share/man/man1/btrfs-steward.1",
      "usr/local/share/bash-completion/completions/btrfs-steward",
      "usr/local/share/zsh/site-functions/_btrfs-steward",
      "usr/local/share/fish/vendor_completions.d/btrfs-steward.fish",
    ]
      + policies.map { "usr/local/share/btrfs-steward/policies/\($0)" }
      + policies.map { "etc/btrfs-steward/\($0)" })

  @Test(
    "make install installs a binary that runs without Swift (the default), units, policies, man page, completions",
    .enabled(
      if: enabled,
      "slow (a static release build of several minutes): runs under CI=true or STEWARD_SLOW_TESTS=1"
    ))
  func installAndUninstall() throws {
    let make = try #require(ToolRun.locate("make"), "make is missing: apt-get install make")
    let destination = try ToolRun.temporaryDirectory("install")
    defer { try? FileManager.default.removeItem(at: destination) }
    let arguments = ["DESTDIR=\(destination.path)", "SCRATCH=.build-install"]
    let root = ToolRun.repositoryRoot.path

    let install = try ToolRun.run(make, ["install"] + arguments, in: root)
    try #require(install.status == 0, "\(install.output)\n\(install.errors)")
    #expect(try files(under: destination) == Self.installedFiles)
    #expect(try mode(destination, "usr/local/bin/btrfs-steward") == 0o755)
    // No state directory: StateDirectory= (and the tool itself) make it, 0700.
    #expect(!FileManager.default.fileExists(atPath: destination.path + "/var/lib/btrfs-steward"))
    let service = try String(
      contentsOf: destination.appendingPathComponent(
        "usr/local/lib/systemd/system/btrfs-steward@.service"), encoding: .utf8)
    #expect(service.contains("\nExecStart=/usr/local/bin/btrfs-steward run --wait --policy "))
    let manual = try String(
      contentsOf: destination.appendingPathComponent("usr/local/share/man/man1/btrfs-steward.1"),
      encoding: .utf8)
    #expect(manual.contains(".Nm btrfs-steward"))
    #expect(manual.contains("install-timer"))
    for section in ["EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES", "SEE ALSO"] {
      #expect(manual.contains(".Sh \(section)\n"), "\(section)")
    }
    #expect(manual.contains(".It 85\n"))
    #expect(!manual.contains(".Ex -std"), "the generated EXIT STATUS is replaced")

    let binary = destination.appendingPathComponent("usr/local/bin/btrfs-steward").path
    let bare = ["-i", "PATH=/usr/bin:/bin", "LD_LIBRARY_PATH=", binary]
    let help = try ToolRun.run("/usr/bin/env", bare + ["--help"])
    #expect(help.status == 0, "\(help.errors)")
    #expect(help.output.contains("USAGE: btrfs-steward"))
    let version = try ToolRun.run("/usr/bin/env", bare + ["--version"])
    #expect(version.status == 0, "\(version.errors)")
    #expect(version.output.hasPrefix(try Self.packageVersion()), "\(version.output)")
    let installedPolicies = Self.policies.map {
      destination.appendingPathComponent("usr/local/share/btrfs-steward/policies/\($0)").path
    }
    let validate = try ToolRun.run("/usr/bin/env", bare + ["validate"] + installedPolicies)
    #expect(validate.status == 0, "\(validate.output)\n\(validate.errors)")
    let ldd = try ToolRun.run("/usr/bin/ldd", [binary])
    #expect(ldd.status == 0)
    #expect(!ldd.output.contains("libswift"), "\(ldd.output)")
    #expect(!ldd.output.contains("libFoundation"), "\(ldd.output)")
    #expect(ldd.output.contains("libyaml"), "\(ldd.output)")

    // A policy the administrator edited survives a second install.
    let edited = destination.appendingPathComponent("etc/btrfs-steward/nightly-compaction.yaml")
    try Data("# mine\n".utf8).write(to: edited)
    let again = try ToolRun.run(make, ["install"] + arguments, in: root)
    try #require(again.status == 0, "\(again.output)\n\(again.errors)")
    #expect(try String(contentsOf: edited, encoding: .utf8) == "# mine\n")

    // Uninstall leaves the administrator's policies.
    let uninstall = try ToolRun.run(make, ["uninstall"] + arguments, in: root)
    try #require(uninstall.status == 0, "\(uninstall.output)\n\(uninstall.errors)")
    #expect(try files(under: destination) == Set(Self.policies.map { "etc/btrfs-steward/\($0)" }))
  }

  @Test(
    "make deb builds a package that lintian passes, whose binary runs without Swift",
    .enabled(
      if: enabled,
      "slow (a static release build of several minutes): runs under CI=true or STEWARD_SLOW_TESTS=1"
    ))
  func debianPackage() throws {
    let make = try #require(ToolRun.locate("make"), "make is missing: apt-get install make")
    let lintian = try #require(
      ToolRun.locate("lintian"), "lintian is missing: apt-get install lintian")
    let root = ToolRun.repositoryRoot.path
    let build = try ToolRun.run(make, ["deb", "SCRATCH=.build-install"], in: root)
    try #require(build.status == 0, "\(build.output)\n\(build.errors)")
    let architecture = try ToolRun.run("/usr/bin/dpkg", ["--print-architecture"]).output
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let package =
      "\(root)/.build-install/deb/btrfs-steward_\(try Self.packageVersion())_\(architecture).deb"

    let check = try ToolRun.run(lintian, ["--fail-on", "error", "--no-tag-display-limit", package])
    #expect(check.status == 0, "\(check.output)\n\(check.errors)")
    #expect(
      !check.output.split(separator: "\n").contains { $0.hasPrefix("E: ") }, "\(check.output)")

    let conffiles = try ToolRun.run("/usr/bin/dpkg-deb", ["--info", package, "conffiles"])
    #expect(
      Set(conffiles.output.split(separator: "\n").map(String.init))
        == Set(Self.policies.map { "/etc/btrfs-steward/\($0)" }))

    // Unpacked into a scratch root and installed there with dpkg (the host's package database is
    // never touched): the files land where Debian looks for them.
    let scratch = try ToolRun.temporaryDirectory("deb")
    defer { try? FileManager.default.removeItem(at: scratch) }
    let admin = scratch.appendingPathComponent("var/lib/dpkg")
    for directory in ["updates", "info"] {
      try FileManager.default.createDirectory(
        at: admin.appendingPathComponent(directory), withIntermediateDirectories: true)
    }
    try Data().write(to: admin.appendingPathComponent("status"))
    let install = try ToolRun.run(
      "/usr/bin/dpkg",
      [
        "--root=\(scratch.path)", "--force-depends", "--force-script-chrootless", "--log=/dev/null",
        "-i", package,
      ])
    try #require(install.status == 0, "\(install.output)\n\(install.errors)")
    for path in [
      "usr/bin/btrfs-steward", "usr/lib/systemd/system/btrfs-steward@.service",
      "usr/lib/systemd/system/btrfs-steward@.timer", "usr/share/man/man1/btrfs-steward.1.gz",
      "usr/share/bash-completion/completions/btrfs-steward",
      "usr/share/zsh/vendor-completions/_btrfs-steward",
      "usr/share/fish/vendor_completions.d/btrfs-steward.fish",
      "usr/share/doc/btrfs-steward/copyright", "usr/share/doc/btrfs-steward/changelog.gz",
      "etc/btrfs-steward/nightly-compaction.yaml",
    ] {
      #expect(
        FileManager.default.fileExists(atPath: scratch.appendingPathComponent(path).path), "\(path)"
      )
    }
    let service = try String(
      contentsOf: scratch.appendingPathComponent("usr/lib/systemd/system/btrfs-steward@.service"),
      encoding: .utf8)
    #expect(service.contains("\nExecStart=/usr/bin/btrfs-steward run --wait --policy "))

    let binary = scratch.appendingPathComponent("usr/bin/btrfs-steward").path
    let ldd = try ToolRun.run("/usr/bin/ldd", [binary])
    #expect(!ldd.output.contains("libswift"), "\(ldd.output)")
    #expect(!ldd.output.contains("libFoundation"), "\(ldd.output)")
    let version = try ToolRun.run(
      "/usr/bin/env", ["-i", "PATH=/usr/bin:/bin", binary, "--version"])
    #expect(version.status == 0, "\(version.errors)")
    #expect(version.output.hasPrefix(try Self.packageVersion()), "\(version.output)")
  }

  /// The first line of the file VERSION: the package's version.
  static func packageVersion() throws -> String {
    try String(
      contentsOf: ToolRun.repositoryRoot.appendingPathComponent("VERSION"), encoding: .utf8
    )
    .split(separator: "\n").first.map(String.init) ?? ""
  }

  /// The regular files under `directory`, relative to it.
  private func files(under directory: URL) throws -> Set<String> {
    let base = directory.standardizedFileURL.path + "/"
    var found: Set<String> = []
    let enumerator = FileManager.default.enumerator(
      at: directory, includingPropertiesForKeys: [.isRegularFileKey])
    while let url = enumerator?.nextObject() as? URL {
      guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true else {
        continue
      }
      found.insert(String(url.standardizedFileURL.path.dropFirst(base.count)))
    }
    return found
  }

  private func mode(_ directory: URL, _ path: String) throws -> Int? {
    let attributes = try FileManager.default.attributesOfItem(
      atPath: directory.appendingPathComponent(path).path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue
  }
}
