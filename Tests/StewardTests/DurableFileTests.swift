import Foundation
import Glibc
import Testing

@testable import Steward

@Suite("Durable file replacement")
struct DurableFileTests {
  private func owner(_ path: String) -> uid_t {
    var status = stat()
    return lstat(path, &status) == 0 ? status.st_uid : .max
  }

  private func mode(_ path: String) -> mode_t {
    var status = stat()
    return lstat(path, &status) == 0 ? status.st_mode : 0
  }

  @Test(
    "the file gets the new bytes and exactly its mode, whatever the umask; nothing else is left")
  func replaces() throws {
    let directory = try TemporaryDirectory("durable")
    let path = directory.sub("file")
    let previous = umask(0o077)
    defer { umask(previous) }
    try DurableFile.replace(path, with: Array("one".utf8), mode: 0o644)
    try DurableFile.replace(path, with: Array("two".utf8), mode: 0o644)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "two")
    #expect(mode(path) & 0o7777 == 0o644)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["file"])
  }

  @Test("a FIFO planted at the old predictable temporary name, or at the file itself, never blocks")
  func plantedFIFO() throws {
    let directory = try TemporaryDirectory("durable")
    let path = directory.sub("steward.prom")
    #expect(mkfifo(directory.sub(".steward.prom.\(getpid()).tmp"), 0o666) == 0)
    try DurableFile.replace(path, with: Array("a".utf8), mode: 0o644)
    #expect(unlink(path) == 0)
    #expect(mkfifo(path, 0o666) == 0)
    // Writing would block forever if the FIFO were opened; it is replaced instead.
    try MetricsFile(path: path).write([])
    #expect(mode(path) & S_IFMT == S_IFREG)
  }

  @Test("a file planted by another user is replaced by one of ours, not written into")
  func plantedFile() throws {
    let directory = try TemporaryDirectory("durable")
    let path = directory.sub("steward.prom")
    #expect(FileManager.default.createFile(atPath: path, contents: Data("planted".utf8)))
    #expect(chown(path, 65534, 65534) == 0)
    #expect(chmod(path, 0o666) == 0)
    try MetricsFile(path: path).write([])
    #expect(owner(path) == geteuid())
    #expect(mode(path) & 0o7777 == 0o644)
  }

  @Test("a symbolic link at the file is replaced, never followed; a linked directory is refused")
  func symbolicLinks() throws {
    let directory = try TemporaryDirectory("durable")
    let victim = directory.sub("victim")
    #expect(FileManager.default.createFile(atPath: victim, contents: Data("keep".utf8)))
    let path = directory.sub("file")
    #expect(symlink(victim, path) == 0)
    try DurableFile.replace(path, with: Array("new".utf8), mode: 0o600)
    #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep")
    #expect(mode(path) & S_IFMT == S_IFREG)

    let real = directory.sub("real")
    #expect(mkdir(real, 0o700) == 0)
    #expect(symlink(real, directory.sub("linked")) == 0)
    let error = #expect(throws: DurableFileError.self) {
      try DurableFile.replace(directory.sub("linked") + "/file", with: [], mode: 0o600)
    }
    #expect(error?.errno == .tooManySymbolicLinkLevels || error?.errno == .notDirectory)
    #expect(try FileManager.default.contentsOfDirectory(atPath: real).isEmpty)
  }
}
