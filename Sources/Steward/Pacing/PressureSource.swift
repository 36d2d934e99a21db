import Foundation

/// Where a paced run reads the machine's pressure: this process's PSI files
/// (``SystemPressureGauge``), or, when the environment names one, a test's file
/// (``InjectedPressureGauge``).
public enum PressureSource {
  /// The gauge for a run in `environment`; reads it once, so that pressure that cannot be read is
  /// refused before anything is done.
  public static func gauge(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(PressureError) -> any PressureGauge {
    if let path = environment[InjectedPressureGauge.environmentVariable] {
      let gauge = InjectedPressureGauge(path: path)
      _ = try gauge.sample()
      return gauge
    }
    return try SystemPressureGauge(files: try PressureFiles.ofThisProcess())
  }
}
