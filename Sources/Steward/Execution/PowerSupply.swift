import Foundation

/// Whether the machine runs on mains power, from `/sys/class/power_supply`.
public enum PowerSupply {
  /// True unless the machine has a battery and no online mains supply. A machine with no power-supply
  /// information at all (most servers, containers) counts as on mains.
  public static func isOnMains(root: String = "/sys/class/power_supply") -> Bool {
    let supplies = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
    var hasBattery = false
    for supply in supplies {
      let type = read(root + "/" + supply + "/type")
      if type == "Mains" || type == "USB" {
        if read(root + "/" + supply + "/online") == "1" { return true }
      } else if type == "Battery" {
        hasBattery = true
      }
    }
    return !hasBattery
  }

  private static func read(_ path: String) -> String? {
    (try? String(contentsOfFile: path, encoding: .utf8))?
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
