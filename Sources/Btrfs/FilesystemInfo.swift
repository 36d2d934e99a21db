import CBtrfs
import Foundation

/// What FS_INFO and GET_FEATURES report about a filesystem.
public struct FilesystemInfo: Hashable, Sendable, Codable {
  /// The filesystem UUID, lower case 8-4-4-4-12.
  public var fsid: String
  /// How many devices the filesystem has.
  public var deviceCount: UInt64
  /// The highest device id in use (device ids may have gaps).
  public var maxDeviceID: UInt64
  /// The size of a metadata node.
  public var nodeSize: UInt32
  /// The size of a sector.
  public var sectorSize: UInt32
  /// The current transaction generation.
  public var generation: UInt64
  /// The feature flags.
  public var features: Features

  /// The compat, compat_ro and incompat feature words.
  public struct Features: Hashable, Sendable, Codable {
    public var compat: UInt64
    public var compatReadOnly: UInt64
    public var incompat: UInt64

    /// Whether block-group items live in their own tree (tree 11) instead of the extent tree.
    public var hasBlockGroupTree: Bool {
      compatReadOnly & UInt64(BTRFS_FEATURE_COMPAT_RO_BLOCK_GROUP_TREE) != 0
    }
    /// Whether data and metadata share mixed block groups.
    public var hasMixedBlockGroups: Bool {
      incompat & UInt64(BTRFS_FEATURE_INCOMPAT_MIXED_GROUPS) != 0
    }
  }
}

extension FileSystem {
  /// Reads FS_INFO (asking for the generation) and GET_FEATURES.
  public func info() throws(BtrfsError) -> FilesystemInfo {
    var arguments = btrfs_ioctl_fs_info_args()
    arguments.flags = UInt64(BTRFS_FS_INFO_FLAG_GENERATION)
    try ioctl("FS_INFO", CBTRFS_IOC_FS_INFO, &arguments)
    var features = btrfs_ioctl_feature_flags()
    try ioctl("GET_FEATURES", CBTRFS_IOC_GET_FEATURES, &features)
    return FilesystemInfo(
      fsid: UUID(uuid: arguments.fsid).uuidString.lowercased(),
      deviceCount: arguments.num_devices,
      maxDeviceID: arguments.max_id,
      nodeSize: arguments.nodesize,
      sectorSize: arguments.sectorsize,
      generation: arguments.generation,
      features: .init(
        compat: features.compat_flags,
        compatReadOnly: features.compat_ro_flags,
        incompat: features.incompat_flags
      )
    )
  }
}
