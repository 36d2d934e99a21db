import Foundation

/// Timings of repeated runs of one thing.
struct Timings {
  var seconds: [Double]

  /// Runs `body` `repetitions` times and records each wall time.
  static func measure(repetitions: Int, _ body: () throws -> Void) rethrows -> Timings {
    var seconds: [Double] = []
    for _ in 0..<repetitions {
      let start = DispatchTime.now().uptimeNanoseconds
      try body()
      seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return Timings(seconds: seconds)
  }

  /// The fastest and the slowest time, in words: "540.1–610.2 ms".
  var spread: String {
    String(format: "%.1f–%.1f ms", (seconds.min() ?? 0) * 1000, (seconds.max() ?? 0) * 1000)
  }

  /// The median time.
  var median: Double {
    let sorted = seconds.sorted()
    return sorted.count % 2 == 1
      ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
  }
}

/// A duration in milliseconds, with three significant decimals.
func milliseconds(_ seconds: Double) -> String {
  String(format: "%.3f ms", seconds * 1000)
}

/// A benchmark that could not run.
struct BenchmarkFailure: Error, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
