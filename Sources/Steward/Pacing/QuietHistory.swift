/// The protected workload's recent quiet periods (``Pacing/protectedCgroup``), as a run watching
/// it saw them, and what they say about the one it is in: whether work of a given length would
/// likely be done before the workload does I/O again. A foreground that bursts regularly (a
/// database's checkpoints, a periodic job) comes back after about as long each time; one that
/// does not makes the answer "likely" more often, never a wait without end.
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
  /// (``margin(for:)``). With none that lasted so long (no history yet, or a workload quieter
  /// than it has been), nothing says otherwise: `true`.
  public func likelyQuiet(for seconds: Double, after quietSoFar: Double) -> Bool {
    let comparable = lengths.filter { $0 + 2 * ProtectedWorkload.lookInterval >= quietSoFar }
    guard !comparable.isEmpty else { return true }
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
