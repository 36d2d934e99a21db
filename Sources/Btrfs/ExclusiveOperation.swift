/// The exclusive operation a filesystem is busy with, as `/sys/fs/btrfs/<fsid>/exclusive_operation` says.
public enum ExclusiveOperation: Hashable, Sendable, Codable, CustomStringConvertible {
  case none
  case balance
  case balancePaused
  case deviceAdd
  case deviceRemove
  case deviceReplace
  case resize
  case swapActivate
  /// A name this version does not know.
  case other(String)

  /// The operation named by the sysfs file's text, without the whitespace around it (which
  /// ``SysfsFacts`` trims as it reads).
  public init(sysfsText: String) {
    switch sysfsText {
    case "none": self = .none
    case "balance": self = .balance
    case "balance paused": self = .balancePaused
    case "device add": self = .deviceAdd
    case "device remove": self = .deviceRemove
    case "device replace": self = .deviceReplace
    case "resize": self = .resize
    case "swap activate": self = .swapActivate
    case let text: self = .other(text)
    }
  }

  /// The sysfs text for this operation.
  public var description: String {
    switch self {
    case .none: "none"
    case .balance: "balance"
    case .balancePaused: "balance paused"
    case .deviceAdd: "device add"
    case .deviceRemove: "device remove"
    case .deviceReplace: "device replace"
    case .resize: "resize"
    case .swapActivate: "swap activate"
    case .other(let text): text
    }
  }

  /// Whether a balance (running or paused) holds the filesystem.
  public var isBalance: Bool { self == .balance || self == .balancePaused }
}
