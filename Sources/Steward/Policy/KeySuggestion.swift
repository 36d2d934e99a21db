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
  /// close.
  static func nearest(to key: String, among known: [String]) -> String? {
    if let synonym = synonyms[key], known.contains(synonym) { return synonym }
    let extensions = known.filter { key.count >= 3 && $0.hasPrefix(key) }
    if extensions.count == 1 { return extensions[0] }
    let limit = max(2, key.count / 3)
    let scored = known.map { (key: $0, distance: editDistance(key.lowercased(), $0)) }
    guard let best = scored.min(by: { $0.distance < $1.distance }), best.distance <= limit else {
      return nil
    }
    return best.key
  }

  /// The Levenshtein distance between two strings, by characters.
  static func editDistance(_ a: String, _ b: String) -> Int {
    let b = Array(b)
    var previous = Array(0...b.count)
    for (i, left) in a.enumerated() {
      var current = [i + 1]
      for (j, right) in b.enumerated() {
        current.append(
          min(previous[j + 1] + 1, current[j] + 1, previous[j] + (left == right ? 0 : 1)))
      }
      previous = current
    }
    return previous[b.count]
  }
}
