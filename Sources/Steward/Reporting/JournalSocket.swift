import Glibc

/// A datagram socket to systemd-journald's native-protocol socket, open for the life of the
/// process: `send` hands one `JournalEntry` to the journal in one datagram.
public final class JournalSocket: Sendable {
  /// Where journald listens for native-protocol datagrams.
  public static let systemPath = "/run/systemd/journal/socket"

  /// The socket's path.
  public let path: String
  private let descriptor: Int32

  /// Opens a datagram socket for `path`; `nil` when no socket can be made or the path does not
  /// fit a socket address.
  public init?(path: String = JournalSocket.systemPath) {
    guard path.utf8.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path) else { return nil }
    let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard descriptor >= 0 else { return nil }
    self.path = path
    self.descriptor = descriptor
  }

  deinit {
    close(descriptor)
  }

  /// Sends `entry`; false when the journal did not take it (no journald, or a record too large for
  /// one datagram), so that the caller can write it elsewhere.
  public func send(_ entry: JournalEntry) -> Bool {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
      for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
    }
    let bytes = entry.datagram
    let sent = withUnsafePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
        bytes.withUnsafeBytes {
          sendto(
            descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), socketAddress,
            socklen_t(MemoryLayout<sockaddr_un>.size))
        }
      }
    }
    return sent == bytes.count
  }
}
