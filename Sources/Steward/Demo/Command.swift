import Foundation

/// Runs external programs (mkfs.btrfs, losetup, mount, …) for the demo and the benchmarks.
public enum Command {
  /// A program that exited with a non-zero status.
  public struct Failed: Error, CustomStringConvertible {
    public var arguments: [String]
    public var output: String
    public var description: String { "`\(arguments.joined(separator: " "))` failed: \(output)" }
  }

  /// Where `run` looks for programs: PATH, then the system directories.
  public static var searchPath: String {
    (ProcessInfo.processInfo.environment["PATH"].map { $0 + ":" } ?? "")
      + "/usr/sbin:/usr/bin:/sbin:/bin"
  }

  /// Whether `run` would find the program `name`.
  public static func isAvailable(_ name: String) -> Bool {
    searchPath.split(separator: ":").contains {
      FileManager.default.isExecutableFile(atPath: "\($0)/\(name)")
    }
  }

  /// Runs a program found on PATH (or in the system directories) and returns what it printed;
  /// throws ``Failed`` when it exits with a non-zero status.
  @discardableResult
  public static func run(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["PATH"] = searchPath
    process.environment = environment
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    guard process.terminationStatus == 0 else { throw Failed(arguments: arguments, output: text) }
    return text
  }
}
