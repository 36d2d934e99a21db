/// Where a job's pacing reads the machine: the pressure gauge when the policy bounds pressure, and
/// the protected workload's activity when it names a cgroup. Balance runs and scrub jobs find them
/// here, before anything is locked or journaled, so that a paced job on a machine where they cannot
/// be read does nothing.
public struct PacingSources: Sendable {
  /// Where pressure is read; `nil` when the policy bounds none.
  public var gauge: (any PressureGauge)?
  /// Where the protected workload's activity is read; `nil` when the policy protects none.
  public var workload: (any WorkloadActivity)?

  /// No sources: for a job whose policy does not pace (a paced one would wait on sources that
  /// cannot be read).
  public init() {}

  /// The sources `pacing` needs: `gauge` and `workload` when given (tests inject them), otherwise
  /// this process's PSI files (``PressureSource``) and the policy's `protect-cgroup`
  /// (``CgroupActivity``), each read once.
  ///
  /// - Throws: ``PressureError`` when a source the policy needs cannot be read.
  public init(
    for pacing: Pacing, gauge: (any PressureGauge)? = nil,
    workload: (any WorkloadActivity)? = nil
  ) throws(PressureError) {
    self.gauge = gauge
    self.workload = workload
    if self.gauge == nil, pacing.boundsPressure {
      self.gauge = try PressureSource.gauge()
    }
    if self.workload == nil, let cgroup = pacing.protectedCgroup {
      self.workload = try CgroupActivity(cgroup: cgroup)
    }
  }
}
