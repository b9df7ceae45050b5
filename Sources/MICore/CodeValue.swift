/// A code field's value on the record path: the bytes of a plain string or integer (no copy), or, for the rare
/// escaped string or non-integer number, the normalised text from `RecordScanner.code`.
public enum CodeValue {
  /// The bytes inside the line (valid while the record is being handled).
  case bytes(UnsafeRawBufferPointer)
  /// Normalised text.
  case text(String)

  /// Reads `key`; nil when absent, null or "". Wrong types throw `FieldError` naming the field.
  @inlinable @inline(__always)
  public static func read(_ s: RecordScanner, _ key: StaticString) throws(FieldError) -> CodeValue? {
    guard let i = s.index(key) else { return nil }
    return try read(s, at: i, field: key)
  }

  /// Reads member `i` (nil for -1: absent).
  @inlinable @inline(__always)
  public static func read(_ s: RecordScanner, at i: Int, field key: StaticString) throws(FieldError) -> CodeValue? {
    guard i >= 0 else { return nil }
    let raw = s.rawValue(i)
    let n = raw.count
    if n >= 2 && raw[0] == UInt8(ascii: "\"") {
      let inner = UnsafeRawBufferPointer(rebasing: raw[1..<(n - 1)])
      if !inner.contains(UInt8(ascii: "\\")) { return inner.isEmpty ? nil : .bytes(inner) }
    } else if n > 0 && raw.allSatisfy({ $0 >= 48 && $0 <= 57 }) && !key.isStringOnlyCode {
      return .bytes(raw)
    }
    return try s.code(at: i, field: key.description).map { .text($0) }
  }

  /// Whether the value starts with `prefix`.
  @inlinable @inline(__always)
  public func hasPrefix(_ prefix: [UInt8]) -> Bool {
    switch self {
    case .bytes(let b): return b.count >= prefix.count && b.prefix(prefix.count).elementsEqual(prefix)
    case .text(let t): return t.utf8.starts(with: prefix)
    }
  }

  /// Whether the value equals `other`.
  @inlinable @inline(__always)
  public func equals(_ other: [UInt8]) -> Bool {
    switch self {
    case .bytes(let b): return b.elementsEqual(other)
    case .text(let t): return t.utf8.elementsEqual(other)
    }
  }

  /// The value as text.
  @inlinable
  public var string: String {
    switch self {
    case .bytes(let b): return String(decoding: b, as: UTF8.self)
    case .text(let t): return t
    }
  }
}
