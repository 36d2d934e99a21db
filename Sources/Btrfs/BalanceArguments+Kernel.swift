import CBtrfs

extension BalanceArguments {
  /// The kernel's `btrfs_ioctl_balance_args` for these arguments, with `extraFlags` (such as RESUME).
  func kernelArguments(extraFlags: UInt64 = 0) -> btrfs_ioctl_balance_args {
    var arguments = btrfs_ioctl_balance_args()
    arguments.flags = extraFlags
    if let data {
      arguments.flags |= UInt64(BTRFS_BALANCE_DATA)
      arguments.data = data.kernelFilter
    }
    if let metadata {
      arguments.flags |= UInt64(BTRFS_BALANCE_METADATA)
      arguments.meta = metadata.kernelFilter
    }
    if let system {
      arguments.flags |= UInt64(BTRFS_BALANCE_SYSTEM)
      arguments.sys = system.kernelFilter
    }
    if force { arguments.flags |= UInt64(BTRFS_BALANCE_FORCE) }
    return arguments
  }

  /// The arguments a kernel balance runs with, as BALANCE_PROGRESS reports them.
  init(kernel arguments: btrfs_ioctl_balance_args) {
    let flags = arguments.flags
    self.init(
      data: flags & UInt64(BTRFS_BALANCE_DATA) != 0 ? BalanceFilter(kernel: arguments.data) : nil,
      metadata: flags & UInt64(BTRFS_BALANCE_METADATA) != 0
        ? BalanceFilter(kernel: arguments.meta) : nil,
      system: flags & UInt64(BTRFS_BALANCE_SYSTEM) != 0
        ? BalanceFilter(kernel: arguments.sys) : nil,
      force: flags & UInt64(BTRFS_BALANCE_FORCE) != 0
    )
  }
}

extension Profile {
  /// The bit that names this profile in balance filters (`profiles` and `convert`): its block-group
  /// flag, except for `single`, which has none and which the kernel names by its own "available"
  /// bit there.
  var balanceBit: UInt64 {
    self == .single ? UInt64(BTRFS_AVAIL_ALLOC_BIT_SINGLE) : flags.rawValue
  }
}

extension BalanceFilter {
  /// The kernel's `btrfs_balance_args` for this filter.
  var kernelFilter: btrfs_balance_args {
    var filter = btrfs_balance_args()
    if let profiles {
      filter.flags |= UInt64(BTRFS_BALANCE_ARGS_PROFILES)
      filter.profiles = profiles.reduce(0) { $0 | $1.balanceBit }
    }
    switch usage {
    case .below(let percent):
      filter.flags |= UInt64(BTRFS_BALANCE_ARGS_USAGE)
      filter.usage = UInt64(percent)
    case .range(let range):
      filter.flags |= UInt64(BTRFS_BALANCE_ARGS_USAGE_RANGE)
      filter.usage_min = range.lowerBound
      filter.usage_max = range.upperBound
    case nil: break
    }
    if let devid {
      filter.flags |= UInt64(BTRFS_BALANCE_ARGS_DEVID)
      filter.devid = devid
    }
    if let physicalRange {
      filter.flags |= UInt64(BTRFS_BALANCE_ARGS_DRANGE)
      filter.pstart = physicalRange.lowerBound
      filter.pend = physicalRange.upperBound
    }
    if let virtualRange {
      filter.flags |= UInt64(BTRFS_BALANCE_ARGS_VRANGE)
      filter.vstart = virtualRange.lowerBound
      filter.vend = virtualRange.upperBound
    }
    switch limit {
    case .count(let count):
      filter.flags |= UInt64(BTRFS_BALANCE_ARGS_LIMIT)
      filter.limit = count
    case .range(let range):
      filter.flags |= UInt64(BTRFS_BALANCE_ARGS_LIMIT_RANGE)
      filter.limit_min = range.lowerBound
      filter.limit_max = range.upperBound
    case nil: break
    }
    if let stripes {
      filter.flags |= UInt64(BTRFS_BALANCE_ARGS_STRIPES_RANGE)
      filter.stripes_min = stripes.lowerBound
      filter.stripes_max = stripes.upperBound
    }
    if let convert {
      filter.flags |= UInt64(BTRFS_BALANCE_ARGS_CONVERT)
      filter.target = convert.balanceBit
    }
    if soft { filter.flags |= UInt64(BTRFS_BALANCE_ARGS_SOFT) }
    return filter
  }

  /// The filter a kernel balance runs with.
  init(kernel filter: btrfs_balance_args) {
    func has(_ flag: UInt64) -> Bool { filter.flags & flag != 0 }
    let profiles: Set<Profile>? =
      has(UInt64(BTRFS_BALANCE_ARGS_PROFILES))
      ? Set(Profile.allCases.filter { filter.profiles & $0.balanceBit != 0 }) : nil
    var usage: Usage?
    if has(UInt64(BTRFS_BALANCE_ARGS_USAGE)) {
      usage = .below(UInt32(clamping: filter.usage))
    } else if has(UInt64(BTRFS_BALANCE_ARGS_USAGE_RANGE)) {
      usage = .range(filter.usage_min...max(filter.usage_min, filter.usage_max))
    }
    var limit: Limit?
    if has(UInt64(BTRFS_BALANCE_ARGS_LIMIT)) {
      limit = .count(filter.limit)
    } else if has(UInt64(BTRFS_BALANCE_ARGS_LIMIT_RANGE)) {
      limit = .range(filter.limit_min...max(filter.limit_min, filter.limit_max))
    }
    self.init(
      profiles: profiles,
      usage: usage,
      devid: has(UInt64(BTRFS_BALANCE_ARGS_DEVID)) ? filter.devid : nil,
      physicalRange: has(UInt64(BTRFS_BALANCE_ARGS_DRANGE))
        ? filter.pstart..<max(filter.pstart, filter.pend) : nil,
      virtualRange: has(UInt64(BTRFS_BALANCE_ARGS_VRANGE))
        ? filter.vstart..<max(filter.vstart, filter.vend) : nil,
      limit: limit,
      stripes: has(UInt64(BTRFS_BALANCE_ARGS_STRIPES_RANGE))
        ? filter.stripes_min...max(filter.stripes_min, filter.stripes_max) : nil,
      convert: has(UInt64(BTRFS_BALANCE_ARGS_CONVERT))
        ? (filter.target & Profile.single.balanceBit != 0
          ? .single : Profile(flags: BlockGroupFlags(rawValue: filter.target))) : nil,
      soft: has(UInt64(BTRFS_BALANCE_ARGS_SOFT))
    )
  }
}
