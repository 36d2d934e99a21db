import Btrfs
import Foundation
import Steward
import Testing

@Suite(
  "The shipped emergency policy on a full small filesystem", .serialized,
  .enabled(if: IntegrationEnvironment.shouldRun))
struct EmergencyPolicyOnKernelTests {
  private static let policy = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("policies/emergency-nearly-full.yaml")

  /// Fills a 2 GiB filesystem with 8 MiB files until it is full, then deletes a varying share of
  /// them, so that data block groups are partly used and almost nothing is unallocated.
  private func fill(_ scratch: ScratchFilesystem) throws {
    let script = """
      M='\(scratch.mountpoint)'
      for ((i = 0; i < 260; i++)); do head -c 8M /dev/urandom > $M/f$i 2>/dev/null || { rm -f $M/f$i; break; }; done
      btrfs filesystem sync $M
      keep=(5 60 20 90 35 10 75); n=$i
      for ((i = 0; i < n; i++)); do (( (i * 37 + 11) % 100 >= keep[i * 7 / n] )) && rm -f $M/f$i; done
      btrfs filesystem sync $M
      """
    try shell("/bin/bash", "-c", script)
  }

  @Test(
    "on a full 2 GiB filesystem it runs and wins back unallocated space; as it shipped before (a 256 MiB floor beside 5 % triggers) it is refused as its own mistake"
  )
  func reclaimsOnFullFilesystem() throws {
    try withScratchFilesystem(size: "2G") { scratch in
      try fill(scratch)
      let before = try BtrfsProgs.unallocated(mountpoint: scratch.mountpoint)
      #expect(before < 16 << 20, "the filesystem is not full: \(before) bytes unallocated")
      let shipped = try String(contentsOf: Self.policy, encoding: .utf8)

      let old = shipped.replacingOccurrences(
        of: "limits:\n", with: "conditions:\n  min-unallocated: 256MiB\n\nlimits:\n")
      let refused = try StewardRun(scratch, policy: old).run()
      #expect(refused.status == Steward.ExitStatus.invalidInput.rawValue)
      #expect(
        refused.standardError.contains("policy.yaml:42:26: error: rule 'drop-empty' can never fire")
      )
      #expect(refused.standardError.contains("policy.yaml:29:20)"))
      #expect(!refused.standardError.contains("is below the policy's min-unallocated"))

      let result = try StewardRun(scratch, policy: shipped).run()
      #expect(result.status == 0, "\(result.standardError)")
      let after = try BtrfsProgs.unallocated(mountpoint: scratch.mountpoint)
      // The goal is 10% unallocated: at least one data chunk back.
      #expect(after >= (2 << 30) / 10, "unallocated \(before) → \(after)")
    }
  }
}
