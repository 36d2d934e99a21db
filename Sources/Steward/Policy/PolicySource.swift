/// Where in a policy file a value was written, for messages about it that editors can jump to:
/// `nightly.yaml:12:20`.
public struct PolicySource: Hashable, Sendable, CustomStringConvertible {
  /// The file, as it was named to the loader.
  public var file: String
  /// The line, from 1.
  public var line: Int
  /// The column, from 1.
  public var column: Int

  public init(file: String, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  /// `file:line:column`.
  public var description: String { "\(file):\(line):\(column)" }
}

/// Where a policy's amounts are written (`min-unallocated` for the conditions, a rule's trigger and
/// goal), when it was read from a file, for messages that compare them on a filesystem.
///
/// Where a value is written is not part of what a policy says: any two are equal, so two policies
/// that say the same compare equal however their files are laid out.
public struct AmountSources: Hashable, Sendable {
  /// `conditions: min-unallocated`.
  public var minUnallocated: PolicySource?
  /// A rule's `when: unallocated-below`.
  public var trigger: PolicySource?
  /// A rule's `until: unallocated-above`.
  public var goal: PolicySource?

  public init(
    minUnallocated: PolicySource? = nil, trigger: PolicySource? = nil, goal: PolicySource? = nil
  ) {
    self.minUnallocated = minUnallocated
    self.trigger = trigger
    self.goal = goal
  }

  public static func == (lhs: Self, rhs: Self) -> Bool { true }
  public func hash(into hasher: inout Hasher) {}
}
