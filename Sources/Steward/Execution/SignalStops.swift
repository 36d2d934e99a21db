import Dispatch
import Glibc

/// Turns signals into stop requests for as long as the value lives:
/// SIGTERM and SIGINT pause the run (a second one cancels it); SIGUSR1 pauses and SIGUSR2 cancels
/// on behalf of `btrfs-steward pause|cancel` run from another shell.
public final class SignalStops {
  private let sources: [any DispatchSourceSignal]

  /// Installs the handlers, feeding `requests`.
  public init(_ requests: StopRequests) {
    let queue = DispatchQueue(label: "btrfs-steward.signals")
    func source(_ signalNumber: Int32, _ handler: @escaping @Sendable () -> Void)
      -> any DispatchSourceSignal
    {
      signal(signalNumber, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: queue)
      source.setEventHandler(handler: handler)
      source.resume()
      return source
    }
    let terminate: @Sendable () -> Void = {
      if requests.current == nil {
        requests.request(.pause(.signal))
      } else {
        requests.request(.cancel(.signal))
      }
    }
    sources = [
      source(SIGTERM, terminate),
      source(SIGINT, terminate),
      source(SIGUSR1) { requests.request(.pause(.external)) },
      source(SIGUSR2) { requests.request(.cancel(.external)) },
    ]
  }

  deinit {
    for source in sources { source.cancel() }
    for signalNumber in [SIGTERM, SIGINT, SIGUSR1, SIGUSR2] { signal(signalNumber, SIG_DFL) }
  }
}
