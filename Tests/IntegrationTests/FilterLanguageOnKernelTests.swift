import Btrfs
import Foundation
import Steward
import Testing

@Suite(
  "Selecting block groups by device on a real multi-device filesystem", .serialized,
  .enabled(if: IntegrationEnvironment.shouldRun))
struct FilterLanguageOnKernelTests {
  /// The data chunks `btrfs inspect-internal dump-tree -t chunk` lists with a stripe on `devid`:
  /// the kernel's own chunk tree, read by btrfs-progs rather than by our layout reader.
  private func dataChunks(onDevice devid: UInt64, device: String) throws -> Set<UInt64> {
    let dump = try shell("btrfs", "inspect-internal", "dump-tree", "-t", "chunk", device)
    var found: Set<UInt64> = []
    var vaddr: UInt64?
    var isData = false
    for line in dump.split(separator: "\n") {
      let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
      if line.contains("CHUNK_ITEM"), let key = words.firstIndex(where: { $0 == "CHUNK_ITEM" }) {
        vaddr = UInt64(words[key + 1].trimmingCharacters(in: CharacterSet(charactersIn: ")")))
        isData = false
      } else if let type = words.firstIndex(of: "type"), words.first == "length" {
        isData = words[type + 1].hasPrefix("DATA")
      } else if words.first == "stripe", let at = words.firstIndex(of: "devid"),
        UInt64(words[at + 1]) == devid, isData, let vaddr
      {
        found.insert(vaddr)
      }
    }
    return found
  }

  @Test("a devices: [2] rule relocates exactly the data block groups with a stripe on device 2")
  func devicesRuleRelocatesThatDevicesBlockGroups() throws {
    try withMultiDeviceFilesystem(
      sizes: ["2G", "2G", "2G"], mkfsArguments: ["-d", "single", "-m", "raid1"]
    ) { fs in
      let fileSystem = try FileSystem(path: fs.mountpoint)
      let fsid = try fileSystem.info().fsid
      try Data("\(256 << 20)".utf8).write(
        to: URL(fileURLWithPath: "/sys/fs/btrfs/\(fsid)/allocation/data/chunk_size"))
      for index in 0..<48 { try fs.write("f\(index)", megabytes: 40) }
      for index in 0..<48 where index % 3 != 0 {
        try FileManager.default.removeItem(atPath: "\(fs.mountpoint)/f\(index)")
      }
      _ = try shell("btrfs", "filesystem", "sync", fs.mountpoint)
      let before = try fileSystem.layout()
      let fromLayout = Set(
        before.chunks.filter { $0.flags.type == .data && $0.devids.contains(2) }.map(\.vaddr))
      let fromDump = try dataChunks(onDevice: 2, device: fs.loopDevices[0])
      #expect(fromLayout == fromDump)
      let allData = Set(before.blockGroups.filter { $0.type == .data }.map(\.vaddr))
      #expect(fromLayout.count >= 2 && fromLayout.count < allData.count, "\(before.chunks)")

      let policy = """
        version: 1
        name: off-device-2
        rules:
          - name: device-2
            select: { type: data, devices: [2] }
        """
      let run = try StewardRun(fs, policy: policy)
      let result = try run.run()
      #expect(result.status == 0, "\(result.standardError)")
      let started = Set(
        try run.records().compactMap { record -> UInt64? in
          if case .operationStarted(_, let vaddr, _) = record.event { return vaddr }
          return nil
        })
      #expect(started == fromDump)
      let after = Set(try fileSystem.layout().blockGroups.map(\.vaddr))
      #expect(after.isDisjoint(with: fromDump), "every selected block group was relocated")
      #expect(allData.subtracting(fromDump).isSubset(of: after), "no other one was")
    }
  }

  @Test("a rule naming a device the filesystem does not have is refused with its position")
  func unknownDeviceRefused() throws {
    try withMultiDeviceFilesystem(sizes: ["1G", "1G"], mkfsArguments: ["-d", "single"]) { fs in
      try fs.write("f", megabytes: 20)
      let policy = """
        version: 1
        name: wrong-device
        rules:
          - name: device-7
            select: { type: data, devices: [7] }
        """
      let run = try StewardRun(fs, policy: policy)
      let result = try run.run()
      #expect(result.status == ExitStatus.invalidInput.rawValue)
      #expect(
        result.standardError.contains(
          "policy.yaml:5:37: error: rule 'device-7' selects device 7, which this filesystem does"
            + " not have (its devices: 1, 2)"), "\(result.standardError)")
    }
  }
}
