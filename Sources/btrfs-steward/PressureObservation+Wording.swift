import Steward

extension PressureObservation {
  /// Why work waits for the machine, as the logs say it: the busy (or soon busy) workload, or the
  /// reading that is above the policy's bound.
  var whyWaiting: String {
    if busyWorkload != nil { return "\(self)" }
    return "\(self) is above the policy's bound"
  }
}
