import ArgumentParser
import Foundation
import Steward

/// Times planning against a large generated layout, and loading a policy.
struct PlanBenchmark: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "Time planning against a generated layout and loading a policy file.",
    discussion: """
      Generates a layout of --block-groups data block groups (1 GiB each, usage spread evenly over \
      0–100 %, seeded) and plans it with a least-used compaction policy whose goal needs a large \
      share of them; then loads and validates the policy file --repetitions times. Run the \
      release build for meaningful figures. Targets: planning 1,000,000 block groups in under \
      1 s; loading and validating a policy in under 5 ms.
      """
  )

  @Option(help: "Data block groups in the generated layout.")
  var blockGroups = 1_000_000

  @Option(help: "Timed planning runs (the median is printed).")
  var repetitions = 5

  @Option(help: "The policy file to time loading of.")
  var policyFile = "policies/nightly-compaction.yaml"

  /// The policies timed: one that plans every candidate until a far goal is met (the worst case),
  /// and the same with a night's bound on operations.
  static let planningPolicies = [
    (
      "every candidate",
      """
      version: 1
      name: bench-compaction
      rules:
        - name: compact
          select: { type: data, usage-below: 60% }
          order: least-used-first
          until: { unallocated-above: 25% }
      """
    ),
    (
      "20,000 operations",
      """
      version: 1
      name: bench-compaction-bounded
      limits: { max-operations: 20000 }
      rules:
        - name: compact
          select: { type: data, usage-below: 60% }
          order: least-used-first
          until: { unallocated-above: 25% }
      """
    ),
  ]

  func run() throws {
    let generation = DispatchTime.now().uptimeNanoseconds
    let layout = SyntheticLayout(dataBlockGroups: blockGroups).layout()
    let generated = Double(DispatchTime.now().uptimeNanoseconds - generation) / 1e9
    print(
      "Planning against \(layout.blockGroups.count) block groups (generated in \(milliseconds(generated)); target < 1000 ms):"
    )
    for (name, text) in Self.planningPolicies {
      let policy = try PolicyLoader().load(yaml: text, file: "<bench policy>")
      let planner = Planner(policy: policy, policyDigest: "bench")
      var operations = 0
      let planning = try Timings.measure(repetitions: repetitions) {
        operations = try planner.plan(for: layout, at: Date()).operations.count
      }
      print(
        "  \(name): \(operations) operations planned in \(milliseconds(planning.median)) (median of \(repetitions); \(planning.spread))"
      )
    }

    let loads = 1000
    let loading = try Timings.measure(repetitions: 5) {
      for _ in 0..<loads { _ = try PolicyLoader().load(contentsOfFile: policyFile) }
    }
    print("Loading and validating \(policyFile):")
    print(
      "  \(milliseconds(loading.median / Double(loads))) per load (median of 5 × \(loads) loads; target < 5 ms)"
    )
  }
}
