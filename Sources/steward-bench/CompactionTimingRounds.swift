import Foundation

/// The timed rounds of the compaction benchmark: btrfs-steward and python-btrfs, each on a fresh
/// copy of the same image, taking turns (who goes first alternates from round to round). A
/// compaction of ten block groups lasts under a second, and the kernel's relocation time alone
/// varies by a fifth from copy to copy, so the wall-time and CPU targets are judged on the medians
/// of several rounds, with their ranges, rather than on one run each.
struct CompactionTimingRounds: Codable {
  /// One round's figures.
  struct Round: Codable {
    var stewardWallSeconds: Double
    var pythonWallSeconds: Double
    /// btrfs-steward's user CPU time.
    var stewardUserSeconds: Double
    /// The executor's own thread's CPU time per operation, from the journal's summary.
    var executorSecondsPerOperation: Double?

    init(steward: ContenderOutcome, python: ContenderOutcome) {
      stewardWallSeconds = steward.run.wallSeconds
      pythonWallSeconds = python.run.wallSeconds
      stewardUserSeconds = steward.run.userSeconds
      executorSecondsPerOperation = steward.steward?.journaled.flatMap { summary in
        summary.executorCPUSeconds.map {
          $0 / Double(max(summary.relocated + summary.skipped + summary.failed, 1))
        }
      }
    }

    /// btrfs-steward's wall time over python-btrfs's.
    var wallRatio: Double? { ratio(stewardWallSeconds, pythonWallSeconds) }
    /// btrfs-steward's user CPU time in percent of its wall time.
    var userPercentOfWall: Double {
      stewardWallSeconds > 0 ? stewardUserSeconds * 100 / stewardWallSeconds : 0
    }
  }

  var rounds: [Round]

  /// btrfs-steward's user CPU time over all rounds in percent of its wall time over all rounds.
  /// Where the kernel accounts CPU time by ticks (`CONFIG_TICK_CPU_ACCOUNTING`, 250 Hz here), one
  /// round's 5–20 ms of user time is a few ticks, each landing in user or system mode by chance,
  /// so one round's share swings by a factor of four; pooling the rounds' ticks is the steadier
  /// estimate, and the target is judged on it.
  var pooledUserPercentOfWall: Double {
    let wall = rounds.map(\.stewardWallSeconds).reduce(0, +)
    return wall > 0 ? rounds.map(\.stewardUserSeconds).reduce(0, +) * 100 / wall : 0
  }

  /// The median and the range of `figure` over the rounds that have it.
  func spread(_ figure: (Round) -> Double?) -> (median: Double, min: Double, max: Double)? {
    let values = rounds.compactMap(figure)
    guard !values.isEmpty else { return nil }
    return (Timings(seconds: values).median, values.min()!, values.max()!)
  }
}
