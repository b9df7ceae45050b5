import CMIZlib
import Foundation

/// A source of bytes: a file or standard input, decompressed through zlib when it is gzip.
///
/// Gzip is recognised by its magic bytes (1f 8b), whatever the input is called: a `.gz` file, standard input
/// (`zcat` is not needed in a pipe), a file without the suffix. A gzip stream is checked to the end: a truncated
/// file or a bad CRC is an I/O error naming the file, never a silent end of input.
final class ByteSource {
  private var fd: Int32 = -1
  private var gzip: GzipDecoder? = nil
  /// Bytes read ahead to look for the magic, returned first when the input is not gzip.
  private var peeked: [UInt8] = []
  /// Bytes read from the file or pipe so far (compressed bytes for gzip).
  private var consumed: Int64 = 0
  private let name: String
  /// The size of the file on disk when known (for progress), in bytes.
  let size: Int64?

  /// Opens `path` (`-` is standard input); `raw` reads a gzip file's own bytes instead of decompressing them.
  init(path: String, name: String, raw: Bool = false) throws(MIError) {
    self.name = name
    if path == "-" {
      fd = STDIN_FILENO
      size = nil
    } else {
      let opened = open(path, O_RDONLY | O_CLOEXEC)
      if opened < 0 { throw MIError.io("\(name): \(systemMessage())") }
      var st = stat()
      if fstat(opened, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
        Foundation.close(opened)
        throw MIError.io("\(name): \(systemMessage(EISDIR))")
      }
      size = (st.st_mode & S_IFMT) == S_IFREG ? Int64(st.st_size) : nil
      fd = opened
    }
    if raw { return }
    do throws(MIError) {
      // Peek at the first two bytes (a pipe may deliver them one at a time).
      let head = UnsafeMutableRawPointer.allocate(byteCount: 2, alignment: 1)
      defer { head.deallocate() }
      var got = 0
      while got < 2 {
        let n = try readFile(into: head + got, count: 2 - got)
        if n == 0 { break }
        got += n
      }
      peeked = Array(UnsafeRawBufferPointer(start: head, count: got))
      if got == 2 && peeked[0] == gzipMagic.0 && peeked[1] == gzipMagic.1 {
        gzip = try GzipDecoder(prefix: peeked, name: name)
        peeked = []
      }
    } catch {
      close()
      throw error
    }
  }

  /// Reads from the file descriptor, retrying on EINTR.
  private func readFile(into pointer: UnsafeMutableRawPointer, count: Int) throws(MIError) -> Int {
    while true {
      let n = Foundation.read(fd, pointer, count)
      if n >= 0 {
        consumed += Int64(n)
        return n
      }
      if errno == EINTR { continue }
      throw MIError.io("\(name): \(systemMessage())")
    }
  }

  /// Reads up to `count` bytes; 0 at end of input.
  func read(into pointer: UnsafeMutableRawPointer, count: Int, name: String) throws(MIError) -> Int {
    if let gzip {
      return try gzip.read(into: pointer, count: count, name: name) { (p, n) throws(MIError) -> Int in
        try readFile(into: p, count: n)
      }
    }
    if !peeked.isEmpty {
      let n = min(count, peeked.count)
      peeked.withUnsafeBytes { pointer.copyMemory(from: $0.baseAddress!, byteCount: n) }
      peeked.removeFirst(n)
      return n
    }
    return try readFile(into: pointer, count: count)
  }

  /// Bytes of the underlying file consumed so far (compressed bytes for gzip), for progress.
  func offset() -> Int64 {
    consumed - Int64(gzip?.buffered ?? peeked.count)
  }

  func close() {
    gzip = nil
    if fd > STDIN_FILENO { Foundation.close(fd) }
    fd = -1
  }

  deinit { close() }
}

/// Reads lines of NDJSON from one input in 64 KiB blocks, with the file name and line number of each.
///
/// Lines are split on `\n`; a trailing `\r` and a leading UTF-8 byte-order mark are removed, and a last line
/// without a newline is kept. Every line is checked to be valid UTF-8: a bad line is an error naming the file and
/// line, never replaced silently. A line may be any length: the buffer grows to hold it.
public final class LineReader {
  /// The file name used in diagnostics (`-` for standard input).
  public let name: String
  /// The number of the line last returned, from 1.
  public private(set) var lineNumber = 0
  /// The input's size in bytes when it is a regular file.
  public var size: Int64? { source.size }

  private let source: ByteSource
  private var buffer: UnsafeMutableRawPointer
  private var capacity: Int
  private var start = 0
  private var end = 0
  private var eof = false
  private static let blockSize = 64 * 1024

  /// Whether each line is checked to be UTF-8 (callers that report bad lines themselves turn it off).
  private let validate: Bool

  /// Opens `path` (`-` is standard input; gzip, known by its magic bytes, is read through zlib). `displayName`
  /// replaces the name in messages.
  public init(path: String, displayName: String? = nil, validateUTF8: Bool = true) throws(MIError) {
    name = displayName ?? path
    validate = validateUTF8
    source = try ByteSource(path: path, name: name)
    capacity = LineReader.blockSize * 2
    buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
  }

  deinit {
    buffer.deallocate()
  }

  /// The bytes of the input consumed so far, for progress.
  public func consumedBytes() -> Int64 { source.offset() }

  /// Returns the next line, without its line end, valid until the next call; nil at end of input.
  ///
  /// Empty lines are returned too (as empty buffers); callers decide whether to skip them.
  public func nextLine() throws(MIError) -> UnsafeRawBufferPointer? {
    while true {
      let available = end - start
      if available > 0, let nl = memchr(buffer + start, 0x0A, available) {
        let lineEnd = buffer.distance(to: nl)
        let line = try finish(from: start, to: lineEnd)
        start = lineEnd + 1
        return line
      }
      if eof {
        if available == 0 { return nil }
        let line = try finish(from: start, to: end)
        start = end
        return line
      }
      try fill()
    }
  }

  /// Compacts the buffer, grows it when one line fills it, and reads another block.
  private func fill() throws(MIError) {
    if start > 0 {
      if end > start { memmove(buffer, buffer + start, end - start) }
      end -= start
      start = 0
    }
    if capacity - end < LineReader.blockSize {
      let newCapacity = capacity * 2
      let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
      grown.copyMemory(from: buffer, byteCount: end)
      buffer.deallocate()
      buffer = grown
      capacity = newCapacity
    }
    let n = try source.read(into: buffer + end, count: capacity - end, name: name)
    if n == 0 { eof = true } else { end += n }
  }

  private func finish(from s: Int, to e: Int) throws(MIError) -> UnsafeRawBufferPointer {
    lineNumber += 1
    var from = s
    var to = e
    if to > from && buffer.load(fromByteOffset: to - 1, as: UInt8.self) == 0x0D { to -= 1 }
    if lineNumber == 1 && to - from >= 3 && buffer.load(fromByteOffset: from, as: UInt8.self) == 0xEF
      && buffer.load(fromByteOffset: from + 1, as: UInt8.self) == 0xBB
      && buffer.load(fromByteOffset: from + 2, as: UInt8.self) == 0xBF
    {
      from += 3
    }
    let line = UnsafeRawBufferPointer(start: buffer + from, count: to - from)
    if validate, let bad = UTF8Check.firstInvalid(line) {
      throw MIError.data(file: name, line: lineNumber, field: nil, message: UTF8Check.message(at: bad))
    }
    return line
  }
}

/// UTF-8 validation with an ASCII fast path.
public enum UTF8Check {
  /// The message for a line that is not UTF-8, with the hint to convert it.
  public static func message(at offset: Int) -> String {
    "invalid UTF-8 at byte \(offset + 1); convert the file first (a GB18030 export: iconv -f GB18030 -t UTF-8 FILE)"
  }

  /// The offset of the first byte that is not part of valid UTF-8, or nil when the bytes are valid.
  public static func firstInvalid(_ bytes: UnsafeRawBufferPointer) -> Int? {
    let n = bytes.count
    guard let base = bytes.baseAddress else { return nil }
    var i = 0
    while i < n {
      // Skip ASCII eight bytes at a time.
      while i + 8 <= n && base.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
        i += 8
      }
      if i >= n { break }
      if base.load(fromByteOffset: i, as: UInt8.self) < 0x80 {
        i += 1
        continue
      }
      guard let len = sequenceLength(base, i, n) else { return i }
      i += len
    }
    return nil
  }

  /// The length of the well-formed multi-byte UTF-8 sequence starting at `i` (a byte ≥ 0x80) in the `n` bytes
  /// at `base`, or nil when it is not one (overlong forms, surrogates and values above U+10FFFF are refused).
  @inline(__always)
  static func sequenceLength(_ base: UnsafeRawPointer, _ i: Int, _ n: Int) -> Int? {
    let b0 = base.load(fromByteOffset: i, as: UInt8.self)
    var need = 0
    var lo: UInt8 = 0x80
    var hi: UInt8 = 0xBF
    switch b0 {
    case 0xC2...0xDF: need = 1
    case 0xE0: need = 2; lo = 0xA0
    case 0xE1...0xEC, 0xEE...0xEF: need = 2
    case 0xED: need = 2; hi = 0x9F
    case 0xF0: need = 3; lo = 0x90
    case 0xF1...0xF3: need = 3
    case 0xF4: need = 3; hi = 0x8F
    default: return nil
    }
    if i + need >= n { return nil }
    let b1 = base.load(fromByteOffset: i + 1, as: UInt8.self)
    if b1 < lo || b1 > hi { return nil }
    var k = 2
    while k <= need {
      let b = base.load(fromByteOffset: i + k, as: UInt8.self)
      if b < 0x80 || b > 0xBF { return nil }
      k += 1
    }
    return need + 1
  }
}
