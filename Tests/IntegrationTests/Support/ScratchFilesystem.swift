import Foundation
import Steward

/// A btrfs filesystem made for one test (a ``ScratchImage``: a sparse image in a temporary directory
/// on a loop device of its own). ``withScratchFilesystem(size:features:mkfsArguments:_:)`` always
/// unmounts, detaches and deletes it, whether the test passes, fails or throws.
typealias ScratchFilesystem = ScratchImage

/// Makes a scratch btrfs filesystem, runs `body` with it, and always destroys it afterwards.
func withScratchFilesystem<Result>(
  size: String = "2G", features: [String] = [], mkfsArguments: [String] = [],
  _ body: (ScratchFilesystem) throws -> Result
) throws -> Result {
  try IntegrationEnvironment.requirePrerequisites()
  let featureArguments = features.isEmpty ? [] : ["-O", features.joined(separator: ",")]
  let fileSystem = try ScratchImage(
    size: size, mkfsArguments: featureArguments + mkfsArguments, prefix: "btrfs-steward-test")
  defer { fileSystem.remove() }
  return try body(fileSystem)
}
