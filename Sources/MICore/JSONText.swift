import Foundation

/// JSON value text written without intermediate arrays (the per-record path appends straight into the output).
public enum JSONText {
  /// A JSON string literal as bytes.
  @inlinable
  public static func quoted(_ s: String) -> [UInt8] {
    var b: [UInt8] = []
    JSONWriter.appendString(s, to: &b)
    return b
  }

  /// The string of the first entry whose JSON bytes equal the raw value, or nil. A value written with escapes
  /// or as a number never matches: the lists hold plain codes, compared as the writer of the record wrote them.
  @inlinable
  public static func match(_ raw: UnsafeRawBufferPointer, _ keys: [([UInt8], String)]) -> String? {
    for (bytes, key) in keys where equals(raw, bytes) { return key }
    return nil
  }

  /// Whether raw JSON value bytes equal `bytes`.
  @inlinable @inline(__always)
  public static func equals(_ raw: UnsafeRawBufferPointer, _ bytes: [UInt8]) -> Bool {
    raw.count == bytes.count && bytes.withUnsafeBytes { memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0 }
  }

  /// `raw / 10^scale` with exactly `scale` decimals (as `Fixed.appendRaw`), or `null`; digits are written in place
  /// from the right, so no temporary array is made.
  @inlinable
  public static func fixed(_ raw: Int64?, scale: Int, _ out: inout [UInt8]) {
    guard let raw else {
      JSONWriter.appendNull(&out)
      return
    }
    var m = raw.magnitude
    var digits = 0
    var t = m
    repeat {
      digits += 1
      t /= 10
    } while t > 0
    digits = max(digits, scale + 1)
    if raw < 0 { out.append(UInt8(ascii: "-")) }
    let start = out.count
    let width = digits + (scale > 0 ? 1 : 0)
    out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width))
    var i = start + width - 1
    var written = 0
    while i >= start {
      if scale > 0 && written == scale {
        out[i] = UInt8(ascii: ".")
      } else {
        out[i] = UInt8(48 + m % 10)
        m /= 10
      }
      written += 1
      i -= 1
    }
  }
}
