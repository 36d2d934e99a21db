import Foundation

/// The kernel's reclaim settings for one block-group type (`/sys/fs/btrfs/<fsid>/allocation/<type>/`).
/// A value is `nil` when this kernel does not have the setting.
public struct ReclaimSettings: Hashable, Sendable, Codable {
  /// The block-group type the settings are for.
  public var type: BlockGroupType
  /// Reclaim block groups whose usage falls below this percentage (0 = off; 5.19+).
  public var threshold: Int?
  /// Whether dynamic reclaim is on (6.11+).
  public var dynamic: Bool?
  /// Whether periodic reclaim is on (6.11+).
  public var periodic: Bool?
  /// The size of a new chunk of this type.
  public var chunkSize: UInt64?
  /// How many block groups the kernel has reclaimed so far.
  public var reclaimCount: UInt64?
  /// How many bytes the kernel has reclaimed so far.
  public var reclaimBytes: UInt64?

  /// Whether the kernel reclaims this type on its own.
  public var isActive: Bool { (threshold ?? 0) > 0 || dynamic == true || periodic == true }
}

/// What `/sys/fs/btrfs/<fsid>/` says about a mounted filesystem.
public struct SysfsFacts: Sendable {
  /// The filesystem's sysfs directory.
  public let directory: URL

  /// The sysfs facts of the filesystem with this fsid.
  public init(fsid: String, root: URL = URL(fileURLWithPath: "/sys/fs/btrfs")) {
    directory = root.appendingPathComponent(fsid)
  }

  /// The exclusive operation the filesystem is busy with. Kernels before 5.10 have no such file;
  /// there this reads `.none`.
  public func exclusiveOperation() throws(BtrfsError) -> ExclusiveOperation {
    guard let text = read("exclusive_operation") else { return .none }
    return ExclusiveOperation(sysfsText: text)
  }

  /// The reclaim settings of data, metadata and system block groups.
  public func reclaimSettings() -> [ReclaimSettings] {
    [BlockGroupType.data, .metadata, .system].map { type in
      let folder = "allocation/\(type.rawValue)/"
      return ReclaimSettings(
        type: type,
        threshold: read(folder + "bg_reclaim_threshold").flatMap { Int($0) },
        dynamic: read(folder + "dynamic_reclaim").flatMap { Int($0) }.map { $0 != 0 },
        periodic: read(folder + "periodic_reclaim").flatMap { Int($0) }.map { $0 != 0 },
        chunkSize: read(folder + "chunk_size").flatMap { UInt64($0) },
        reclaimCount: read(folder + "reclaim_count").flatMap { UInt64($0) },
        reclaimBytes: read(folder + "reclaim_bytes").flatMap { UInt64($0) }
      )
    }
  }

  /// The trimmed text of a sysfs file, or `nil` when the kernel does not have it.
  private func read(_ name: String) -> String? {
    guard
      let data = FileManager.default.contents(atPath: directory.appendingPathComponent(name).path)
    else { return nil }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
