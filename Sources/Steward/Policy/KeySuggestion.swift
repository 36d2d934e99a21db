/// The known key a mistyped key most likely meant, for "did you mean …?" hints.
enum KeySuggestion {
  /// Keys people write from other tools' vocabularies, and what this schema calls them.
  private static let synonyms: [String: String] = [
    "usage-above": "usage-at-least",
    "usage-min": "usage-at-least",
    "usage-max": "usage-below",
    "enospc": "on-enospc",
    "ac-power": "on-ac-power",
  ]

  /// The known key `key` most likely meant: a synonym, the only known key it abbreviates, or the
  /// closest by edit distance (at most a third of its length, and at least 2); `nil` when none is
  /// close. Its cost is bounded by the limit, not by the key's length, so a policy of many long
  /// unknown keys loads in time linear in its size.
  static func nearest(to key: String, among known: [String]) -> String? {
    if let synonym = synonyms[key], known.contains(synonym) { return synonym }
    let length = key.unicodeScalars.count
    let extensions = known.filter { length >= 3 && $0.hasPrefix(key) }
    if extensions.count == 1 { return extensions[0] }
    let limit = max(2, length / 3)
    let lowered = Array(key.lowercased().unicodeScalars)
    var best: (key: String, distance: Int)?
    for candidate in known {
      guard
        let distance = editDistance(
          lowered, Array(candidate.unicodeScalars), limit: best.map { $0.distance - 1 } ?? limit)
      else { continue }
      best = (candidate, distance)
    }
    return best?.key
  }

  /// The Levenshtein distance between `a` and `b`, by Unicode scalars, or `nil` when it exceeds
  /// `limit`. Gives up as soon as no alignment can stay within the limit, so the cost is at most
  /// `(limit + 1) × |b|` rows' worth whatever the length of `a`.
  static func editDistance(
    _ a: [Unicode.Scalar], _ b: [Unicode.Scalar], limit: Int
  ) -> Int? {
    guard limit >= 0, abs(a.count - b.count) <= limit else { return nil }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for (i, left) in a.enumerated() {
      current[0] = i + 1
      var rowMinimum = current[0]
      for (j, right) in b.enumerated() {
        current[j + 1] = min(
          previous[j + 1] + 1, current[j] + 1, previous[j] + (left == right ? 0 : 1))
        rowMinimum = min(rowMinimum, current[j + 1])
      }
      if rowMinimum > limit { return nil }
      swap(&previous, &current)
    }
    return previous[b.count] <= limit ? previous[b.count] : nil
  }
}
