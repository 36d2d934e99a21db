import Glibc

/// The CPU time, user and system, that the calling thread has used: the kernel's exact count
/// (`CLOCK_THREAD_CPUTIME_ID`), not the tick samples `getrusage` splits into user and system.
enum ThreadCPUTime {
  /// Seconds of CPU the calling thread has used so far.
  static func seconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }
}
