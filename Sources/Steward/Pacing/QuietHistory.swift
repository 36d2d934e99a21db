/// The protected workload's recent quiet periods (``Pacing/protectedCgroup``), as a run watching
/// it saw them, and what they say about the one it is in: whether work of a given length would
/// likely be done before the workload does I/O again. A foreground that bursts regularly (a
/// database's checkpoints, a periodic job) comes back after about as long each time; one that
/// does not makes the answer "likely" more often. (A workload whose every quiet period is too
/// short holds work back for ``ProtectedWorkload/longestHoldBack`` quiet periods at most.)
public struct QuietHistory: Hashable, Sendable {
  /// The most quiet periods remembered; older ones are forgotten.
  public static let remembered = 8

  /// The lengths of the remembered quiet periods in seconds, oldest first. Each is at least the
  /// policy's quiet period (shorter pauses within a burst are not periods work could start in)
  /// and a lower bound: it ends at the last look that still saw no I/O.
  public private(set) var lengths: [Double] = []

  public init() {}

  /// Remembers a quiet period of `seconds`, forgetting the oldest beyond ``remembered``.
  public mutating func record(_ seconds: Double) {
    lengths.append(seconds)
    if lengths.count > Self.remembered { lengths.removeFirst(lengths.count - Self.remembered) }
  }

  /// Whether work taking `seconds`, starting now that the workload has been quiet for
  /// `quietSoFar` seconds, is likely done before the workload's next I/O: more than half of the
  /// remembered quiet periods that lasted about as long as `quietSoFar` or longer (within two
  /// looks: a length is measured up to a look short) went on for `seconds` more and a margin
  /// (``margin(for:)``). With no history yet nothing says otherwise: `true`. A quiet period longer
  /// than every remembered one says the workload may have changed, but a regular workload's
  /// period runs a little long now and then, and work started then would meet its next burst:
  /// work starts once the current period has outlasted the longest remembered one by the work's
  /// own time and margin.
  public func likelyQuiet(for seconds: Double, after quietSoFar: Double) -> Bool {
    guard let longest = lengths.max() else { return true }
    let comparable = lengths.filter { $0 + 2 * ProtectedWorkload.lookInterval >= quietSoFar }
    guard !comparable.isEmpty else {
      return quietSoFar >= longest + seconds + Self.margin(for: seconds)
    }
    let needed = quietSoFar + seconds + Self.margin(for: seconds)
    return comparable.filter { $0 >= needed }.count * 2 > comparable.count
  }

  /// The margin added to work of `seconds`: the looks' spacing twice (a quiet period's end is
  /// seen up to one look late, and its length measured up to one look short) and a quarter of the
  /// work's own length, for the error of its estimate.
  public static func margin(for seconds: Double) -> Double {
    2 * ProtectedWorkload.lookInterval + seconds / 4
  }
}
