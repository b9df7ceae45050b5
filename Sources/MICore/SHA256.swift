import CCrypto
import Foundation

/// SHA-256 (FIPS 180-4), for recording the source of every reference import and ledger run.
///
/// The digest is the system libcrypto's (OpenSSL's EVP interface), which uses the processor's SHA extensions or
/// vector units: hashing a 340 MB input must not cost more than the run that reads it (`--post`). A value type:
/// a copy goes on independently of the original (the context is copied on the first update after a copy).
public struct SHA256 {
  /// The libcrypto context, shared between copies until one of them is updated.
  private final class Context {
    let ctx: OpaquePointer

    init() {
      // Only memory exhaustion makes these fail; nothing sensible can go on then.
      guard let c = EVP_MD_CTX_new(), EVP_DigestInit_ex(c, EVP_sha256(), nil) == 1 else {
        fatalError("libcrypto: cannot start a SHA-256 digest")
      }
      ctx = c
    }

    init(copying other: Context) {
      guard let c = EVP_MD_CTX_new(), EVP_MD_CTX_copy_ex(c, other.ctx) == 1 else {
        fatalError("libcrypto: cannot copy a SHA-256 digest")
      }
      ctx = c
    }

    deinit { EVP_MD_CTX_free(ctx) }
  }

  private var context = Context()

  /// Creates an empty digest.
  public init() {}

  /// The context, made unique to this value first.
  private mutating func unique() -> OpaquePointer {
    if !isKnownUniquelyReferenced(&context) { context = Context(copying: context) }
    return context.ctx
  }

  /// Feeds bytes.
  public mutating func update<B: Sequence>(_ bytes: B) where B.Element == UInt8 {
    let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
    if done == nil { Array(bytes).withUnsafeBytes { update($0) } }
  }

  /// Feeds raw bytes.
  public mutating func update(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    let ctx = unique()
    EVP_DigestUpdate(ctx, base, bytes.count)
  }

  /// Feeds one byte (a line's `\n`).
  public mutating func update(byte: UInt8) {
    var b = byte
    let ctx = unique()
    EVP_DigestUpdate(ctx, &b, 1)
  }

  /// The digest of the bytes fed so far, as lowercase hex; more bytes may still be fed afterwards.
  public mutating func hexDigest() -> String {
    let final = Context(copying: context)
    var md = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var n: UInt32 = 0
    guard EVP_DigestFinal_ex(final.ctx, &md, &n) == 1 else { fatalError("libcrypto: cannot finish a SHA-256 digest") }
    let digits: [UInt8] = Array("0123456789abcdef".utf8)
    var hex: [UInt8] = []
    hex.reserveCapacity(Int(n) * 2)
    for b in md.prefix(Int(n)) {
      hex.append(digits[Int(b >> 4)])
      hex.append(digits[Int(b & 15)])
    }
    return String(decoding: hex, as: UTF8.self)
  }

  /// The hex digest of bytes.
  public static func hex(_ data: Data) -> String {
    var s = SHA256()
    data.withUnsafeBytes { s.update($0) }
    return s.hexDigest()
  }

  /// The hex digest of a file's bytes (`-` is standard input), read in 256 KiB blocks.
  public static func hex(file path: String) throws(MIError) -> String {
    let src = try ByteSource(path: path, name: path, raw: true)
    var s = SHA256()
    let size = 256 * 1024
    let buf = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
    defer { buf.deallocate() }
    while true {
      let n = try src.read(into: buf, count: size, name: path)
      if n == 0 { break }
      s.update(UnsafeRawBufferPointer(start: buf, count: n))
    }
    return s.hexDigest()
  }
}
