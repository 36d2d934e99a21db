import ArgumentParser

@main
struct BenchSteward: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "steward-bench",
    abstract:
      "Benchmarks of btrfs-steward, side by side with its peers. Figures are printed, never asserted.",
    discussion: """
      Commands that build filesystems need root, loop devices and btrfs-progs; they build their own \
      sparse images in a temporary directory and always clean up.
      """,
    subcommands: [
      LayoutReadBenchmark.self, PlanBenchmark.self, StopLatencyBenchmark.self,
      CompactionBenchmark.self, CorpusBenchmark.self, ScrubBenchmark.self, PacingBenchmark.self,
      PolicyLoadBenchmark.self, WaitStopBenchmark.self,
    ]
  )
}
