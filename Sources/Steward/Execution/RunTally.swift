/// What a run has done so far, across every process that worked on it.
struct RunTally {
  var results: [Int: OperationResult]
  var goalSkips = 0

  init(results: [Int: OperationResult]) {
    self.results = results
  }

  var relocated: Int { results.values.filter(\.isRelocated).count }
  var attempted: Int {
    results.values.filter {
      switch $0 {
      case .relocated, .noSpace, .failed: true
      case .skipped: false
      }
    }.count
  }
  var relocatedBytes: UInt64 {
    results.values.reduce(0) { total, result in
      if case .relocated(let bytes, _) = result { return total + bytes }
      return total
    }
  }

  /// The summary of the run as it stands, for a plan of `plan`, ending with `ending`.
  func summary(
    _ ending: RunOutcome, plan: Plan, unallocatedAfter: UInt64, executorCPUSeconds: Double? = nil
  ) -> RunSummary {
    var skipped = 0
    var failed = 0
    for result in results.values {
      switch result {
      case .relocated: break
      case .skipped: skipped += 1
      case .noSpace, .failed: failed += 1
      }
    }
    return RunSummary(
      ending: ending, relocated: relocated, skipped: skipped, failed: failed,
      left: plan.operations.count - results.count, relocatedBytes: relocatedBytes,
      unallocatedBefore: plan.outcome.unallocatedBefore, unallocatedAfter: unallocatedAfter,
      executorCPUSeconds: executorCPUSeconds)
  }
}
