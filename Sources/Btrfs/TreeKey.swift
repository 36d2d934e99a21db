/// A btrfs tree key: items in a tree are sorted by (objectid, type, offset).
public struct TreeKey: Hashable, Sendable, Comparable, CustomStringConvertible {
  public var objectid: UInt64
  public var type: UInt8
  public var offset: UInt64

  public init(objectid: UInt64, type: UInt8, offset: UInt64) {
    self.objectid = objectid
    self.type = type
    self.offset = offset
  }

  /// The smallest key.
  public static let min = TreeKey(objectid: 0, type: 0, offset: 0)
  /// The largest key.
  public static let max = TreeKey(objectid: .max, type: .max, offset: .max)

  /// The next key in tree order (the 136-bit key plus one), or `nil` past the largest key.
  public var successor: TreeKey? {
    if offset < .max { return TreeKey(objectid: objectid, type: type, offset: offset + 1) }
    if type < .max { return TreeKey(objectid: objectid, type: type + 1, offset: 0) }
    if objectid < .max { return TreeKey(objectid: objectid + 1, type: 0, offset: 0) }
    return nil
  }

  public static func < (lhs: TreeKey, rhs: TreeKey) -> Bool {
    (lhs.objectid, lhs.type, lhs.offset) < (rhs.objectid, rhs.type, rhs.offset)
  }

  public var description: String { "(\(objectid) \(type) \(offset))" }
}

/// Well-known tree ids and key types, named as in `btrfs_tree.h`.
public enum TreeID {
  public static let extent: UInt64 = 2
  public static let chunk: UInt64 = 3
  public static let device: UInt64 = 4
  public static let blockGroup: UInt64 = 11
}

/// Key types used by the scheduler.
public enum KeyType {
  public static let extentItem: UInt8 = 168
  public static let metadataItem: UInt8 = 169
  public static let blockGroupItem: UInt8 = 192
  public static let deviceExtent: UInt8 = 204
  public static let deviceItem: UInt8 = 216
  public static let chunkItem: UInt8 = 228
}
