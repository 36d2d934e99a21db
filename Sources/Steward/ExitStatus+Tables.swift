/// The exit statuses as the tables of `--help`, the README and the man page: one list, so that the
/// three never disagree (tests compare the README's and the man page's with these).
extension ExitStatus {
  /// One `  N  meaning` line per status, for `--help`.
  public static var helpTable: String {
    allCases.map { status in
      let number = String(status.rawValue)
      return "  " + number + String(repeating: " ", count: 4 - number.count) + status.meaning
    }.joined(separator: "\n")
  }

  /// The README's Markdown table.
  public static var markdownTable: String {
    (["| status | meaning |", "|---|---|"]
      + allCases.map { "| \($0.rawValue) | \($0.meaning) |" }).joined(separator: "\n")
  }

  /// The man page's tagged list (mdoc), without Markdown's backticks.
  public static var mdocList: String {
    (([".Bl -tag -width 4n -compact"]
      + allCases.flatMap { [".It \($0.rawValue)", String($0.meaning.filter { $0 != "`" })] })
      + [".El"]).joined(separator: "\n")
  }
}
