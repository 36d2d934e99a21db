import Btrfs
import Foundation
import Synchronization
import Testing

@testable import Steward

@Suite("Kernel calls and the stop requests that wake their waits")
struct KernelCallTests {
  @Test("a wait returns the call's result once it ends, and nil while it runs")
  func waitReturnsTheResult() {
    let release = DispatchSemaphore(value: 0)
    let call = KernelCall { () throws(BtrfsError) in
      release.wait()
      return 7
    }
    #expect(call.wait(seconds: 0.01) == nil)
    release.signal()
    guard case .success(7)? = call.wait(seconds: 60) else {
      Issue.record("the call's result did not arrive")
      return
    }
    guard case .success(7)? = call.wait(seconds: 0) else {
      Issue.record("a later wait does not return the result at once")
      return
    }
  }

  @Test("a stop request ends a wait on a kernel call that still runs, long before its timeout")
  func aStopRequestWakesTheWait() {
    let stops = StopRequests()
    let release = DispatchSemaphore(value: 0)
    defer { release.signal() }
    let call = KernelCall { () throws(BtrfsError) in
      release.wait()
      return 0
    }
    DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) {
      stops.request(.pause(.signal))
    }
    let started = Date()
    let outcome = stops.waking(call.wake) { call.wait(seconds: 600) }
    #expect(outcome == nil, "the call still runs")
    #expect(Date().timeIntervalSince(started) < 300, "the request ended the wait, not its timeout")
    #expect(stops.current == .pause(.signal))
  }

  @Test("requests made after waking(_:during:) returns no longer call its wake")
  func wakesEndWithTheirBody() {
    let stops = StopRequests()
    let wakes = Mutex(0)
    let wake: @Sendable () -> Void = { wakes.withLock { $0 += 1 } }
    stops.waking(wake) {
      stops.request(.pause(.signal))
    }
    stops.request(.cancel(.signal))
    #expect(wakes.withLock { $0 } == 1)
  }
}
