import ArgumentParser
import Btrfs
import Steward

struct LayoutCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "layout",
    abstract: "Save a filesystem's layout (devices, space info, chunks, block groups) as JSON.",
    subcommands: [Save.self]
  )

  struct Save: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "save",
      abstract: "Write a layout snapshot that `plan --layout` reads without root or btrfs."
    )

    @OptionGroup var logging: LogOptions

    @Argument(help: "The mountpoint, or any path on the filesystem.", completion: .btrfsMountpoint)
    var path: String

    @Option(
      name: .shortAndLong, help: "The file to write (replaced atomically).", completion: .layoutFile
    )
    var output: String

    func run() throws {
      let layout = try withExitStatus { () throws(BtrfsError) in
        try FileSystem(path: path).detailedLayout()
      }
      do {
        try LayoutFile.write(layout, to: output)
      } catch {
        throw failure(.failure, error.description)
      }
      print(
        "Saved \(layout.blockGroups.count) block groups of \(layout.fsid) to \(output).")
    }
  }
}
