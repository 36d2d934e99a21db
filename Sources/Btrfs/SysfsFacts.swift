import SystemPackage

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
  public let directory: FilePath

  /// The sysfs facts of the filesystem with this fsid.
  public init(fsid: String, root: FilePath = "/sys/fs/btrfs") {
    directory = root.appending(fsid)
  }

  /// The exclusive operation the filesystem is busy with. Kernels before 5.10 have no such file;
  /// there this reads `.none`.
  public func exclusiveOperation() throws(BtrfsError) -> ExclusiveOperation {
    guard let text = read("exclusive_operation") else { return .none }
    return ExclusiveOperation(sysfsText: text)
  }

  /// The reclaim settings of data, metadata and system block groups.
  public func reclaimSettings() -> [ReclaimSettings] {
    Self.types.map { type in
      let folder = "allocation/\(type.rawValue)/"
      return ReclaimSettings(
        type: type,
        threshold: read(folder + "bg_reclaim_threshold").flatMap { Int($0) },
        dynamic: read(folder + "dynamic_reclaim").flatMap { Int($0) }.map { $0 != 0 },
        periodic: read(folder + "periodic_reclaim").flatMap { Int($0) }.map { $0 != 0 },
        chunkSize: chunkSize(of: type),
        reclaimCount: read(folder + "reclaim_count").flatMap { UInt64($0) },
        reclaimBytes: read(folder + "reclaim_bytes").flatMap { UInt64($0) }
      )
    }
  }

  /// The size of a new chunk of each type whose size the kernel tells.
  public func chunkSizes() -> [BlockGroupType: UInt64] {
    var sizes: [BlockGroupType: UInt64] = [:]
    for type in Self.types { sizes[type] = chunkSize(of: type) }
    return sizes
  }

  private static let types: [BlockGroupType] = [.data, .metadata, .system]

  private func chunkSize(of type: BlockGroupType) -> UInt64? {
    read("allocation/\(type.rawValue)/chunk_size").flatMap { UInt64($0) }
  }

  /// The text of a sysfs file without surrounding whitespace, or `nil` when the kernel does not
  /// have it. Read with two system calls: the executor reads these around every operation.
  func read(_ name: String) -> String? {
    guard let descriptor = try? FileDescriptor.open(directory.appending(name), .readOnly) else {
      return nil
    }
    defer { try? descriptor.close() }
    // A sysfs attribute is at most a page.
    var buffer = [UInt8](repeating: 0, count: 4096)
    guard let count = try? buffer.withUnsafeMutableBytes({ try descriptor.read(into: $0) }) else {
      return nil
    }
    let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x0A || byte == 0x09 }
    var text = buffer[..<count]
    while let last = text.last, isSpace(last) { text.removeLast() }
    while let first = text.first, isSpace(first) { text.removeFirst() }
    return String(decoding: text, as: UTF8.self)
  }
}
