import Btrfs
import Foundation
import Steward
import Testing

@Suite(
  "Converting profiles on real multi-device filesystems", .serialized,
  .enabled(if: IntegrationEnvironment.shouldRun))
struct ConversionOnKernelTests {
  static let toRaid1 = """
    version: 1
    name: convert-to-raid1
    rules:
      - name: data-to-raid1
        select: { type: data }
        convert: raid1
      - name: metadata-to-raid1
        select: { type: metadata }
        convert: raid1
    """

  /// The shipped example policy.
  static let shipped = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("policies/convert-to-raid1.yaml")

  /// The profiles of every data and metadata block group now.
  private func profiles(_ mountpoint: String) throws -> [BlockGroupType: Set<Profile>] {
    try FileSystem(path: mountpoint).layout().blockGroups.filter { $0.type != .system }
      .reduce(into: [:]) { $0[$1.type, default: []].insert($1.profile) }
  }

  @Test(
    "single → raid1 after btrfs device add: every data and metadata block group converted, each device where the plan said within one chunk"
  )
  func singleToRaid1AfterDeviceAdd() throws {
    try withMultiDeviceFilesystem(sizes: ["1536M"], mkfsArguments: ["-d", "single", "-m", "dup"]) {
      fs in
      for index in 0..<5 { try fs.write("f\(index)", megabytes: 100) }
      let shipped = try String(contentsOf: Self.shipped, encoding: .utf8)
      let refused = try StewardRun(fs, policy: shipped).run()
      #expect(refused.status == Steward.ExitStatus.invalidInput.rawValue)
      #expect(
        refused.standardError.contains(
          "rule 'metadata-to-raid1' cannot convert on this filesystem: raid1 needs at least 2 devices, the filesystem has 1"
        ))

      try fs.addDevice(size: "1536M")
      let run = try StewardRun(fs, policy: shipped)
      let planned = try steward(["plan", "--policy", run.policyPath, "--json", fs.mountpoint])
      #expect(planned.status == 0, "\(planned.standardError)")
      let plan = try JSONCoding.decoder().decode(Plan.self, from: Data(planned.standardOutput.utf8))
      #expect(plan.operations.allSatisfy { $0.convert == .raid1 })
      #expect(plan.operations.count == plan.layout.blockGroupCount - 1)  // all but system

      let result = try run.run()
      #expect(result.status == 0, "\(result.standardError)")
      #expect(try profiles(fs.mountpoint) == [.data: [.raid1], .metadata: [.raid1]])

      // The outcome is the filesystem once the cleaner deleted the chunks left empty.
      let layout = try settledLayout(fs.mountpoint)
      let chunk = layout.blockGroups.filter { $0.type == .data }.map(\.length).max() ?? 0
      for predicted in try #require(plan.outcome.devices) {
        let real = try #require(layout.devices.first { $0.devid == predicted.devid })
        let difference = Int64(real.unallocatedBytes) - Int64(predicted.unallocatedAfterBytes)
        #expect(
          difference.magnitude <= chunk,
          "device \(predicted.devid): predicted \(predicted.unallocatedAfterBytes), real \(real.unallocatedBytes)"
        )
      }

      // Repeated: soft mode leaves what is converted alone; nothing is left to do.
      let again = try run.run()
      #expect(again.status == 0, "\(again.standardError)")
      #expect((again.standardError + again.standardOutput).contains("nothing to do"))
    }
  }

  @Test(
    "SIGTERM in the middle of a conversion pauses it; status shows how far the conversion got; the next run resumes and finishes it"
  )
  func pauseAndResumeMidConversion() throws {
    try withMultiDeviceFilesystem(sizes: ["1536M"], mkfsArguments: ["-d", "single", "-m", "dup"]) {
      fs in
      // Many 64 KiB extents: the kernel relocates them slowly enough to be interrupted.
      for index in 0..<4 {
        try shell(["mkdir", "\(fs.mountpoint)/d\(index)"])
        try shell(
          "/bin/bash", "-c",
          "head -c 80M /dev/urandom | split -b 64K - '\(fs.mountpoint)/d\(index)/p'")
      }
      try shell("btrfs", "filesystem", "sync", fs.mountpoint)
      try fs.addDevice(size: "1536M")
      let run = try StewardRun(fs, policy: Self.toRaid1)
      let fileSystem = try FileSystem(path: fs.mountpoint)
      // A pause leaves nothing in the kernel to resume at the next mount (see docs/lifecycle.md).
      let history = try pauseMidOperation(run, fileSystem)
      #expect(try fileSystem.balanceProgress() == nil)

      let status = try steward(run.control("status"))
      #expect(status.status == Steward.ExitStatus.statusPaused.rawValue)
      #expect(status.standardOutput.contains("Data in 2 profiles"), "\(status.standardOutput)")

      let resumed = try run.run()
      #expect(resumed.status == 0, "\(resumed.standardError)")
      #expect(try fileSystem.balanceProgress() == nil)
      let finished = try #require(JournalReplay.runs(try run.records()).last)
      #expect(finished.id == history.id)
      #expect(try profiles(fs.mountpoint) == [.data: [.raid1], .metadata: [.raid1]])
    }
  }
}
