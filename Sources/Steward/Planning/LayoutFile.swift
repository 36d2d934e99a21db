import Btrfs
import Foundation
import Glibc
import SystemPackage

/// Layouts saved as JSON files (ISO-8601 dates, sorted keys), to plan without root or btrfs: `layout
/// save` writes them, `plan --layout` reads them.
public enum LayoutFile {
  /// The layout in the file at `path`, checked for consistency.
  public static func read(from path: String) throws(LayoutFileError) -> Layout {
    let data: Data
    do {
      data = try readRegularFile(path)
    } catch {
      throw .unreadable(file: path, reason: reason(error))
    }
    let layout: Layout
    do {
      layout = try JSONCoding.decoder().decode(Layout.self, from: data)
    } catch {
      let position = syntaxErrorPosition(data).map { "\($0): " } ?? ""
      throw .invalid(file: path, reason: position + reason(error))
    }
    do {
      try layout.validate()
    } catch {
      throw .inconsistent(file: path, error)
    }
    return layout
  }

  /// Writes `layout` to `path` atomically through ``DurableFile`` (mode 0644).
  public static func write(_ layout: Layout, to path: String) throws(LayoutFileError) {
    let data: Data
    do {
      data = try JSONCoding.encoder().encode(JSONOutput(.layout, layout))
    } catch {
      throw .unwritable(file: path, reason: reason(error))
    }
    do {
      try DurableFile.replace(path, with: data, mode: 0o644)
    } catch {
      throw .unwritable(file: path, reason: error.description)
    }
  }

  /// The bytes of the regular file at `path`, opened without blocking so that a FIFO named as the
  /// layout is refused at once.
  private static func readRegularFile(_ path: String) throws -> Data {
    let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard descriptor >= 0 else { throw Errno(rawValue: errno) }
    let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw Errno(rawValue: errno) }
    guard status.st_mode & S_IFMT == S_IFREG else { throw NotARegularFile() }
    return try handle.readToEnd() ?? Data()
  }

  /// Where `data` stops being JSON, as `line:column` (1-based, columns in bytes), or `nil` when it
  /// is JSON. The decoder does not say; JSONSerialization names the byte offset.
  private static func syntaxErrorPosition(_ data: Data) -> String? {
    do {
      _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
      return nil
    } catch {
      let message = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? ""
      guard let range = message.range(of: "character "),
        let offset = Int(message[range.upperBound...].prefix { $0.isNumber })
      else { return nil }
      let before = data.prefix(offset)
      let line = before.count { $0 == UInt8(ascii: "\n") } + 1
      let column = offset - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
      return "line \(line), column \(column)"
    }
  }

  /// What went wrong, in words.
  private static func reason(_ error: any Error) -> String {
    switch error {
    case DecodingError.keyNotFound(let key, let context):
      let path = (context.codingPath + [key]).map { $0.intValue.map(String.init) ?? $0.stringValue }
      return "missing key \(path.joined(separator: "."))"
    case DecodingError.dataCorrupted(let context), DecodingError.typeMismatch(_, let context),
      DecodingError.valueNotFound(_, let context):
      let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
      return (path.isEmpty ? "" : path.joined(separator: ".") + ": ") + context.debugDescription
    case let error as CocoaError:
      return (error.userInfo[NSUnderlyingErrorKey] as? NSError)?.localizedDescription
        ?? error.localizedDescription
    case is NotARegularFile:
      return "not a regular file"
    case let errno as Errno:
      return errno.description
    default:
      return "\(error)"
    }
  }
}

/// Why a layout file could not be read or written.
public enum LayoutFileError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The file could not be read.
  case unreadable(file: String, reason: String)
  /// The file is not a layout in JSON.
  case invalid(file: String, reason: String)
  /// The file is a layout that contradicts itself.
  case inconsistent(file: String, LayoutError)
  /// The file could not be written.
  case unwritable(file: String, reason: String)

  public var description: String {
    switch self {
    case .unreadable(let file, let reason): "\(file): cannot read the layout: \(reason)"
    case .invalid(let file, let reason): "\(file): not a layout: \(reason)"
    case .inconsistent(let file, let error): "\(file): inconsistent layout: \(error)"
    case .unwritable(let file, let reason): "\(file): cannot write the layout: \(reason)"
    }
  }
}

/// The layout path names something other than a regular file.
private struct NotARegularFile: Error {}
