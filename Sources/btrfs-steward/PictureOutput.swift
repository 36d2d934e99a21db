import ArgumentParser
import Foundation
import Glibc
import Steward

/// `--svg FILE` of `usage` and `plan`: where to draw the block groups.
struct PictureOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "Also draw the block groups as an SVG picture into this file.", valueName: "file"),
    completion: .file(extensions: ["svg"]))
  var svg: String?

  /// Writes `picture` to the file given with --svg, if any: created or replaced, mode 0644, never
  /// through a symbolic link.
  func write(_ picture: @autoclosure () throws -> BlockGroupPicture) throws {
    guard let svg else { return }
    let bytes = Array(try picture().svg.utf8)
    let descriptor = open(svg, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw failure(.failure, "cannot write \(svg): \(String(cString: strerror(errno)))")
    }
    defer { close(descriptor) }
    var written = 0
    while written < bytes.count {
      let count = bytes[written...].withUnsafeBytes {
        Glibc.write(descriptor, $0.baseAddress, $0.count)
      }
      if count < 0, errno == EINTR { continue }
      guard count > 0 else {
        throw failure(.failure, "cannot write \(svg): \(String(cString: strerror(errno)))")
      }
      written += count
    }
  }
}
