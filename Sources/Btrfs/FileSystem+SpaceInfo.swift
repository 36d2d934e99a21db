import CBtrfs

extension FileSystem {
  /// Allocation and use per type and profile (SPACE_INFO), as `btrfs filesystem df` shows it.
  public func spaceInfo() throws(BtrfsError) -> [SpaceInfo] {
    var header = btrfs_ioctl_space_args()
    try ioctl("SPACE_INFO", CBTRFS_IOC_SPACE_INFO, &header)
    // The count can grow between the two calls (a new profile appears); ask for a few slots more.
    let slots = Int(header.total_spaces) + 4
    let headerSize = MemoryLayout<btrfs_ioctl_space_args>.size
    let entrySize = MemoryLayout<btrfs_ioctl_space_info>.stride
    let buffer = UnsafeMutableRawPointer.allocate(
      byteCount: headerSize + slots * entrySize, alignment: 8)
    defer { buffer.deallocate() }
    buffer.storeBytes(of: UInt64(slots), as: UInt64.self)
    buffer.storeBytes(of: 0, toByteOffset: 8, as: UInt64.self)
    try ioctl("SPACE_INFO", CBTRFS_IOC_SPACE_INFO, buffer: buffer)
    let count = Int(buffer.load(fromByteOffset: 8, as: UInt64.self))
    let globalReserve = UInt64(BTRFS_SPACE_INFO_GLOBAL_RSV)
    return (0..<min(count, slots)).map { index in
      let entry = buffer.load(
        fromByteOffset: headerSize + index * entrySize, as: btrfs_ioctl_space_info.self)
      return SpaceInfo(
        flags: BlockGroupFlags(rawValue: entry.flags & ~globalReserve),
        total: entry.total_bytes,
        used: entry.used_bytes,
        isGlobalReserve: entry.flags & globalReserve != 0
      )
    }
  }
}
