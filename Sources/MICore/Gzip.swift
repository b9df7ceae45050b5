import CMIZlib
import Foundation

/// The gzip magic bytes, which mark a gzip stream whatever the input is called (a file, standard input).
let gzipMagic: (UInt8, UInt8) = (0x1F, 0x8B)

/// Reads a gzip stream through zlib's `inflate`, checking what zlib's `gz*` functions let pass: a stream that
/// ends before a member's trailer (a truncated file, cut at any byte), a CRC-32 or length that does not match,
/// and bytes after the last member that are not another member. Concatenated members (`cat a.gz b.gz`) are read
/// as one stream, as `gzip -d` does.
final class GzipDecoder {
  private let stream: UnsafeMutablePointer<z_stream>
  private let input: UnsafeMutableRawPointer
  private static let inputSize = 256 * 1024
  /// Whether the last member ended (its trailer checked) and no byte of a next one was read yet.
  private var atMemberEnd = false
  private var inputEnded = false

  /// Starts decoding; `prefix` are bytes already read from the input (the magic bytes that were peeked).
  init(prefix: [UInt8], name: String) throws(MIError) {
    stream = .allocate(capacity: 1)
    stream.initialize(to: z_stream())
    input = .allocate(byteCount: GzipDecoder.inputSize, alignment: 16)
    prefix.withUnsafeBytes { input.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    stream.pointee.next_in = input.assumingMemoryBound(to: Bytef.self)
    stream.pointee.avail_in = UInt32(prefix.count)
    // 15 + 16: a gzip wrapper (header and trailer checked) around a 32 KiB window.
    let code = inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    if code != Z_OK {
      input.deallocate()
      stream.deallocate()
      throw MIError.io("\(name): cannot start gzip decoding (zlib error \(code))")
    }
  }

  deinit {
    inflateEnd(stream)
    stream.deallocate()
    input.deallocate()
  }

  /// Decodes up to `count` bytes into `out`, reading more input with `refill` (which returns 0 at end of input);
  /// 0 only at the end of the last complete member.
  func read(
    into out: UnsafeMutableRawPointer, count: Int, name: String,
    refill: (UnsafeMutableRawPointer, Int) throws(MIError) -> Int
  ) throws(MIError) -> Int {
    let z = stream
    z.pointee.next_out = out.assumingMemoryBound(to: Bytef.self)
    z.pointee.avail_out = UInt32(min(count, Int(UInt32.max)))
    let wanted = z.pointee.avail_out
    while z.pointee.avail_out == wanted {
      if z.pointee.avail_in == 0 && !inputEnded {
        let n = try refill(input, GzipDecoder.inputSize)
        if n == 0 { inputEnded = true }
        z.pointee.next_in = input.assumingMemoryBound(to: Bytef.self)
        z.pointee.avail_in = UInt32(n)
      }
      if z.pointee.avail_in == 0 && inputEnded {
        if atMemberEnd { break }
        throw MIError.io("\(name): truncated gzip file: it ends before the gzip trailer")
      }
      if atMemberEnd {
        // Another member follows (or bytes that are not one: inflate says so below).
        inflateReset(z)
        atMemberEnd = false
      }
      let code = inflate(z, Z_NO_FLUSH)
      switch code {
      case Z_STREAM_END:
        atMemberEnd = true
      case Z_OK, Z_BUF_ERROR:
        break
      case Z_MEM_ERROR:
        throw MIError.io("\(name): out of memory decoding gzip")
      default:
        let why = z.pointee.msg.map { String(cString: $0) } ?? "zlib error \(code)"
        throw MIError.io("\(name): corrupt gzip file: \(why)")
      }
    }
    return Int(wanted - z.pointee.avail_out)
  }

  /// Compressed bytes read but not yet decoded.
  var buffered: Int { Int(stream.pointee.avail_in) }
}

/// Writes a gzip stream through zlib's `deflate`. The header carries no file name and no time (zlib's default
/// header has mtime 0), so the same records always give the same compressed bytes.
final class GzipEncoder {
  private let stream: UnsafeMutablePointer<z_stream>
  private let output: UnsafeMutableRawPointer
  private static let outputSize = 256 * 1024

  init() {
    stream = .allocate(capacity: 1)
    stream.initialize(to: z_stream())
    output = .allocate(byteCount: GzipEncoder.outputSize, alignment: 16)
    let code = deflateInit2_(
      stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
      Int32(MemoryLayout<z_stream>.size))
    // Only memory exhaustion (or a zlib of another major version) makes this fail.
    if code != Z_OK { fatalError("zlib: cannot start gzip encoding (error \(code))") }
  }

  deinit {
    deflateEnd(stream)
    stream.deallocate()
    output.deallocate()
  }

  /// Compresses `bytes` (and with `finish`, ends the stream with its trailer), handing each full block of
  /// compressed bytes to `write`; the first error `write` returns (an errno), or nil.
  func encode(
    _ bytes: UnsafeRawBufferPointer, finish: Bool, write: (UnsafeRawBufferPointer) -> Int32?
  ) -> Int32? {
    let z = stream
    z.pointee.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: Bytef.self))
    z.pointee.avail_in = UInt32(bytes.count)
    while true {
      z.pointee.next_out = output.assumingMemoryBound(to: Bytef.self)
      z.pointee.avail_out = UInt32(GzipEncoder.outputSize)
      let code = deflate(z, finish ? Z_FINISH : Z_NO_FLUSH)
      let produced = GzipEncoder.outputSize - Int(z.pointee.avail_out)
      if produced > 0, let failed = write(UnsafeRawBufferPointer(start: output, count: produced)) { return failed }
      if code == Z_STREAM_END { return nil }
      if code != Z_OK && code != Z_BUF_ERROR { return EIO }
      if !finish && z.pointee.avail_in == 0 && z.pointee.avail_out != 0 { return nil }
    }
  }
}

/// Whether the file at `path` starts with the gzip magic bytes (false when it cannot be read).
public func isGzipFile(_ path: String) -> Bool {
  let fd = open(path, O_RDONLY | O_CLOEXEC)
  if fd < 0 { return false }
  defer { close(fd) }
  var head: (UInt8, UInt8) = (0, 0)
  let n = withUnsafeMutableBytes(of: &head) { pread(fd, $0.baseAddress, 2, 0) }
  return n == 2 && head.0 == gzipMagic.0 && head.1 == gzipMagic.1
}
