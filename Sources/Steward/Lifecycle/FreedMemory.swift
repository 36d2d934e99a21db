import CMalloc

/// What the process does with memory it frees. A layout read allocates a few MiB per 10,000 block
/// groups (the block groups, chunks and extents) and a caller frees them when it is done; glibc
/// by default hands such memory back to the kernel at once, so that the next read faults every
/// page of it in again. A process that reads layouts over and over (`run` after each operation,
/// the benchmarks' rounds) keeps it instead.
public enum FreedMemory {
  /// Serves allocations of up to 32 MiB from the heap and keeps up to `bytes` of freed heap memory
  /// for reuse (glibc `mallopt` M_MMAP_THRESHOLD and M_TRIM_THRESHOLD; larger allocations are still
  /// mapped and unmapped on their own).
  public static func keep(upTo bytes: Int32 = 64 << 20) {
    _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
    _ = mallopt(M_TRIM_THRESHOLD, bytes)
  }
}
