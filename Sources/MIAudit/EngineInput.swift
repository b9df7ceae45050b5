import Foundation
import MICore

/// An NDJSON input of the engine: a file (or `-`, standard input; `.gz` read through zlib) or a text held in
/// memory (a rule example).
public enum AuditSource: Sendable {
  case file(String)
  case text(name: String, String)
  /// A temporary copy of an input, read under the input's name (standard input kept for a second pass).
  case copy(path: String, name: String)

  /// The name messages give it.
  public var name: String {
    switch self {
    case .file(let p): return p
    case .text(let n, _): return n
    case .copy(_, let n): return n
    }
  }

  /// Calls `body` with each line (blank lines included) and its 1-based number.
  func forEachLine(_ body: (UnsafeRawBufferPointer, Int) throws -> Bool) throws {
    switch self {
    case .file(let path), .copy(let path, _):
      let reader = try LineReader(path: path, displayName: name, validateUTF8: false)
      while let line = try reader.nextLine() {
        if try !body(line, reader.lineNumber) { return }
      }
    case .text(_, let text):
      var n = 0
      for part in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
        n += 1
        let bytes = Array(part)
        let go = try bytes.withUnsafeBytes { try body($0, n) }
        if !go { return }
      }
    }
  }
}

/// Reads NDJSON records from sources: each non-blank line is parsed into the scanner and handed on; a bad record
/// goes to the rejects sink with its reason, or stops the run with its file, line and field (DESIGN.md §4).
final class RecordLoop {
  let scanner = RecordScanner()
  let rejects: RejectSink?
  private(set) var rejected = 0
  /// Lines read by the last run (blank ones included), over all its sources.
  private(set) var position = 0

  init(rejects: RejectSink?) {
    self.rejects = rejects
  }

  /// Runs `body` on every record; `body` returns false to stop early. The first `quietBefore` lines (counted over
  /// all the sources, blank ones included) are rejected without writing or counting them again: a second pass over
  /// the same input.
  /// Returns whether the loop ran to the end.
  @discardableResult
  func run(
    _ sources: [AuditSource], quietBefore: Int = 0, tee: ((UnsafeRawBufferPointer) throws -> Void)? = nil,
    _ body: (RecordScanner, _ name: String, _ line: Int) throws -> Bool
  ) throws -> Bool {
    position = 0
    for source in sources {
      let name = source.name
      var stopped = false
      try source.forEachLine { line, number in
        position += 1
        if RecordLoop.isBlank(line) { return true }
        do {
          do {
            try scanner.parse(line)
          } catch {
            if let bad = UTF8Check.firstInvalid(line) { throw FieldError(nil, UTF8Check.message(at: bad)) }
            throw error
          }
          if try !body(scanner, name, number) {
            stopped = true
            return false
          }
        } catch let e as FieldError {
          guard let rejects else { throw e.at(name, number) }
          if position > quietBefore {
            try rejects.reject(line, reason: e.at(name, number).message)
            rejected += 1
          }
        }
        return true
      }
      if stopped { return false }
    }
    return true
  }

  static func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
    for b in line where b != UInt8(ascii: " ") && b != UInt8(ascii: "\t") && b != UInt8(ascii: "\r") { return false }
    return true
  }
}

/// Temporary files of a run (standard input kept for a second pass, the partitions of a regrouping), removed
/// when the run ends. They hold fee lines, so they are created with mode 0600.
final class TempDir {
  let path: String
  private var count = 0

  init() throws(MIError) {
    let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    var template = Array("\(base)/mi-audit.XXXXXX".utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
      throw MIError.io("\(base): cannot create a temporary directory: \(systemMessage())")
    }
    path = String(cString: made)
  }

  /// A new file name in the directory.
  func next(_ stem: String) -> String {
    count += 1
    return "\(path)/\(stem)-\(count)"
  }

  /// Removes the directory and its files.
  func remove() {
    try? FileManager.default.removeItem(atPath: path)
  }
}

/// Appends bytes to a file through a buffer (the partitions of a regrouping, a copy of standard input).
final class SpoolFile {
  let path: String
  private let fd: Int32
  private var buffer: [UInt8] = []
  private(set) var bytes: Int64 = 0

  init(path: String) throws(MIError) {
    self.path = path
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { throw MIError.io("\(path): cannot create: \(systemMessage())") }
    buffer.reserveCapacity(1 << 16)
  }

  func append(_ b: UnsafeRawBufferPointer) throws(MIError) {
    buffer.append(contentsOf: b)
    bytes += Int64(b.count)
    if buffer.count >= 1 << 16 { try flush() }
  }

  func append(_ b: [UInt8]) throws(MIError) {
    buffer.append(contentsOf: b)
    bytes += Int64(b.count)
    if buffer.count >= 1 << 16 { try flush() }
  }

  func flush() throws(MIError) {
    var off = 0
    while off < buffer.count {
      let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + off, $0.count - off) }
      if n < 0 {
        if errno == EINTR { continue }
        throw MIError.io("\(path): \(systemMessage())")
      }
      off += n
    }
    buffer.removeAll(keepingCapacity: true)
  }

  func close() throws(MIError) {
    try flush()
    _ = Foundation.close(fd)
  }
}

/// Standard input among the fee inputs is copied to a temporary file first, so that a second pass (regrouping)
/// can read it again.
final class StdinCopy {
  private var dir: TempDir?
  private var copies: [Int: String] = [:]

  init(_ sources: [AuditSource]) throws {
    for (i, s) in sources.enumerated() {
      guard case .file("-") = s else { continue }
      let d = try dir ?? TempDir()
      dir = d
      let out = try SpoolFile(path: d.next("stdin"))
      var buf = [UInt8](repeating: 0, count: 1 << 16)
      while true {
        let n = buf.withUnsafeMutableBytes { read(0, $0.baseAddress!, $0.count) }
        if n < 0 {
          if errno == EINTR { continue }
          throw MIError.io("-: \(systemMessage())")
        }
        if n == 0 { break }
        try out.append(Array(buf[0..<n]))
      }
      try out.close()
      copies[i] = out.path
    }
  }

  /// The sources with standard input replaced by its copy.
  func sources(_ sources: [AuditSource]) -> [AuditSource] {
    sources.enumerated().map { i, s in copies[i].map { .copy(path: $0, name: "-") } ?? s }
  }

  func remove() { dir?.remove() }
}
