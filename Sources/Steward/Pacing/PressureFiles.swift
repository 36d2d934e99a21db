import CBtrfs
import Foundation

/// Where the machine's pressure is read: the system's PSI files and, when the service runs in a
/// cgroup of its own (cgroup v2), that cgroup's `io.pressure`. Every file is read as hostile: each
/// path component is opened without following symlinks, the file must be a regular file on procfs
/// or cgroupfs, and its text must parse strictly (``PressureStall``).
public struct PressureFiles: Hashable, Sendable {
  /// `/proc/pressure/io`.
  public var systemIO: String
  /// `/proc/pressure/memory`.
  public var systemMemory: String
  /// The service's cgroup's `io.pressure`, or `nil` in the root cgroup or without cgroup v2.
  public var cgroupIO: String?

  public init(systemIO: String, systemMemory: String, cgroupIO: String?) {
    self.systemIO = systemIO
    self.systemMemory = systemMemory
    self.cgroupIO = cgroupIO
  }

  /// This process's files: the system's, and its cgroup's from `/proc/PID/cgroup` (the symlink
  /// `/proc/self` is not followed).
  public static func ofThisProcess() throws(PressureError) -> PressureFiles {
    let membership = try read("/proc/\(getpid())/cgroup", limit: 4096)
    let root =
      FileManager.default.fileExists(atPath: "/sys/fs/cgroup/cgroup.controllers")
      ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified"
    return PressureFiles(
      systemIO: "/proc/pressure/io", systemMemory: "/proc/pressure/memory",
      cgroupIO: try cgroupPath(fromMembership: membership).map { root + $0 + "/io.pressure" })
  }

  /// The cgroup v2 path in the text of `/proc/PID/cgroup` (its `0::PATH` line), or `nil` for the
  /// root cgroup or when there is no v2 line. A path that is not absolute, has empty, `.` or `..`
  /// components or control characters is an error.
  public static func cgroupPath(fromMembership text: String) throws(PressureError) -> String? {
    guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("0::") }) else {
      return nil
    }
    let path = line.dropFirst(3)
    guard path != "/" else { return nil }
    // The kernel appends " (deleted)" to the path of a removed cgroup: then there is no file.
    if path.hasSuffix(" (deleted)") { return nil }
    guard CgroupHierarchy.isValidPath(path) else {
      throw .malformed("'/proc/self/cgroup' names an unusable cgroup path '\(path.prefix(80))'")
    }
    return String(path)
  }

  /// Reads and parses one PSI file.
  public static func stall(at path: String) throws(PressureError) -> PressureStall {
    try PressureStall(parsing: read(path, limit: PressureStall.maximumLength + 1))
  }

  /// Reads at most `limit` bytes of a regular file — on procfs, sysfs or cgroupfs unless
  /// `anyFilesystem` — opening every component of the absolute `path` with `O_NOFOLLOW`, and the
  /// file without blocking, so that a link or FIFO planted on the path is refused.
  static func read(
    _ path: String, limit: Int, anyFilesystem: Bool = false
  ) throws(PressureError) -> String {
    func failure(_ reason: String) -> PressureError { .unreadable(path: path, reason: reason) }
    let components = path.split(separator: "/")
    guard path.hasPrefix("/"), !components.isEmpty, !components.contains("..") else {
      throw failure("not an absolute path without '..'")
    }
    var directory = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard directory >= 0 else { throw failure(String(cString: strerror(errno))) }
    for component in components.dropLast() {
      let next = openat(
        directory, String(component), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
      let error = errno
      close(directory)
      guard next >= 0 else { throw failure(String(cString: strerror(error))) }
      directory = next
    }
    let descriptor = openat(
      directory, String(components.last!), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK
    )
    let error = errno
    close(directory)
    guard descriptor >= 0 else { throw failure(String(cString: strerror(error))) }
    defer { close(descriptor) }
    var status = stat()
    var magic: UInt = 0
    guard fstat(descriptor, &status) == 0, cbtrfs_filesystem_magic(descriptor, &magic) == 0 else {
      throw failure(String(cString: strerror(errno)))
    }
    guard status.st_mode & S_IFMT == S_IFREG else { throw failure("not a regular file") }
    // procfs, sysfs, cgroup v1 and cgroup v2: pressure comes only from the kernel.
    let kernelFilesystems: Set<Int> = [0x9fa0, 0x6265_6572, 0x27e0eb, 0x6367_7270]
    guard anyFilesystem || kernelFilesystems.contains(Int(magic)) else {
      throw failure("not on procfs or cgroupfs")
    }
    var bytes = [UInt8](repeating: 0, count: limit + 1)
    var count = 0
    while count <= limit {
      let got = bytes.withUnsafeMutableBytes {
        Glibc.read(descriptor, $0.baseAddress! + count, limit + 1 - count)
      }
      if got < 0, errno == EINTR { continue }
      guard got >= 0 else { throw failure(String(cString: strerror(errno))) }
      if got == 0 { break }
      count += got
    }
    guard count <= limit else { throw failure("longer than \(limit) bytes") }
    guard let text = String(validating: bytes[..<count], as: UTF8.self) else {
      throw failure("not UTF-8")
    }
    return text
  }
}
