import Foundation
import MICore

#if canImport(Glibc)
  import Glibc
#endif

/// The encodings a CSV report is written in (`--encoding`): UTF-8 with a byte-order mark by default, so that
/// Excel and WPS open Chinese text correctly on a double click, or GB18030 for older bureau systems.
public enum TextEncoding: String, CaseIterable, Sendable {
  /// UTF-8 with BOM (EF BB BF).
  case utf8 = "utf-8"
  /// UTF-8 without BOM.
  case utf8NoBOM = "utf-8-nobom"
  /// GB18030 (GB 18030-2005), through the C library's iconv.
  case gb18030

  /// The bytes of `text` in this encoding; GB18030 covers all of Unicode, so nothing is lost.
  public func encode(_ text: String) throws(MIError) -> [UInt8] {
    switch self {
    case .utf8: return [0xEF, 0xBB, 0xBF] + Array(text.utf8)
    case .utf8NoBOM: return Array(text.utf8)
    case .gb18030: return try Iconv.convert(Array(text.utf8), from: "UTF-8", to: "GB18030")
    }
  }

  /// Decodes GB18030 bytes back to text (the round trip of the tests, and a reader's check).
  public static func decodeGB18030(_ bytes: [UInt8]) throws(MIError) -> String {
    let utf8 = try Iconv.convert(bytes, from: "GB18030", to: "UTF-8")
    guard let s = String(validating: utf8, as: UTF8.self) else { throw MIError.io("iconv gave invalid UTF-8") }
    return s
  }
}

/// glibc iconv(3), whole buffers at a time.
enum Iconv {
  static func convert(_ input: [UInt8], from: String, to: String) throws(MIError) -> [UInt8] {
    let cd = iconv_open(to, from)
    guard let cd, cd != iconv_t(bitPattern: -1) else {
      throw MIError.io("iconv cannot convert \(from) to \(to): \(systemMessage())")
    }
    defer { iconv_close(cd) }
    var source = input
    var out = [UInt8](repeating: 0, count: input.count * 2 + 16)
    var failed: Int32 = 0
    let produced: Int = source.withUnsafeMutableBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(src.baseAddress)?.assumingMemoryBound(
          to: CChar.self)
        var inLeft = src.count
        var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(dst.baseAddress)?.assumingMemoryBound(
          to: CChar.self)
        var outLeft = dst.count
        if iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) == -1 { failed = errno }
        return dst.count - outLeft
      }
    }
    if failed != 0 { throw MIError.io("cannot convert the text from \(from) to \(to): \(systemMessage(failed))") }
    return Array(out.prefix(produced))
  }
}
