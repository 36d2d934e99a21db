import ArgumentParser
import Btrfs
import Steward

struct UsageCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "usage",
    abstract: "Show space and block-group usage of a mounted btrfs filesystem.",
    discussion: """
      Prints allocated and unallocated space; per device its size, allocated and unallocated \
      bytes, the raw bytes of each type and profile on it (like `btrfs filesystem usage`), and the \
      unallocated space no new chunk can use now (a balance could win it back) or ever (because \
      of the devices' sizes); space per type and profile (like `btrfs filesystem df`); and a \
      histogram of block-group usage per type. Reading block groups needs root (CAP_SYS_ADMIN).
      """
  )

  @Argument(help: "The mountpoint, or any path on the filesystem.", completion: .btrfsMountpoint)
  var path: String

  @OptionGroup var output: OutputOptions
  @OptionGroup var picture: PictureOptions

  func run() throws {
    let layout = try withExitStatus { () throws(BtrfsError) in
      try FileSystem(path: path).layout()
    }
    try picture.write(BlockGroupPicture(usageOf: layout))
    let report = UsageReport(layout)
    if output.json {
      try printJSON(report, schema: .usage)
    } else {
      print(report.rendered())
    }
  }
}
