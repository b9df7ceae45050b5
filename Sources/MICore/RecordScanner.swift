import Foundation

/// A byte-level scanner of one NDJSON record: it finds the top-level members of a JSON object and reads their
/// values on demand, without building a tree and without Foundation's JSON.
///
/// One scanner is reused line after line (`parse(_:)`), so the record path allocates nothing. The whole line is
/// validated as JSON when it is parsed: nested values are skipped structurally, strings are checked for escapes
/// and control characters, numbers for the JSON grammar. Accessors return nil for a member that is absent or
/// `null`, and throw `FieldError` naming the field when its value has the wrong type.
///
/// This file is the API; the JSON grammar that validates a line is `Parser` (`JSONGrammar.swift`), and the key
/// cache that finds members by name (key tags, the last record's shape, the key index) is `RecordKeyCache.swift`.
public final class RecordScanner {
  /// One top-level member: where its key and value lie in the line.
  public struct Member {
    /// Offset of the first byte of the key's content (after the quote).
    public internal(set) var keyStart: Int
    /// Offset just past the key's content (before the closing quote).
    public internal(set) var keyEnd: Int
    /// Offset of the member's opening quote.
    public internal(set) var memberStart: Int
    /// Offset of the first byte of the value.
    public internal(set) var valueStart: Int
    /// Offset just past the value.
    public internal(set) var valueEnd: Int
    /// The key contains a backslash escape.
    public internal(set) var keyEscaped: Bool
    /// A hash of the key's raw bytes and length, compared before the bytes themselves.
    public internal(set) var keyTag: UInt64
  }

  /// The line being scanned (valid until the reader's next line).
  public private(set) var line = UnsafeRawBufferPointer(start: nil, count: 0)
  /// The members in the order they appear (valid until the next `parse`).
  public var members: UnsafeBufferPointer<Member> { UnsafeBufferPointer(start: store.base, count: store.count) }
  /// Offset of the object's closing brace.
  public private(set) var closeBrace = 0

  /// The members' storage, reused from line to line.
  private var store = MemberStore()
  /// The key index of the current record (`RecordKeyCache.swift`); records it does not take are searched linearly.
  private let keys = KeyIndex()
  /// The current record is in the key index.
  private var indexed = false
  /// The current record is in the key index and has no duplicate keys: `index` finds every member by name.
  private(set) var uniquelyIndexed = false
  /// The index was built for the keys of the store's shape (false after a line that failed to parse).
  private var indexFitsShape = false
  private var lastIndexed = false
  private var lastUnique = false

  private var base: UnsafeRawPointer { line.baseAddress! }
  private var n: Int { line.count }

  /// Creates a scanner.
  public init() {}

  deinit {
    keys.deallocate()
    store.base.deallocate()
    store.shape.deallocate()
  }

  /// Scans a line that must hold exactly one JSON object (surrounding whitespace allowed).
  ///
  /// Strings are checked to be UTF-8 as they are scanned (the only place JSON allows bytes above 0x7F), so a line
  /// need not be checked beforehand.
  public func parse(_ bytes: UnsafeRawBufferPointer) throws(FieldError) {
    line = bytes
    indexed = false
    uniquelyIndexed = false
    // The scan works on a local cursor and a local store, so the hot loop touches no class property (each such
    // access would cost a dynamic exclusivity check).
    var found = store
    found.count = 0
    defer { store = found }
    guard let base = bytes.baseAddress, bytes.count > 0 else {
      throw FieldError(nil, "empty line is not a JSON object")
    }
    let p = Parser(base: base, n: bytes.count)
    let reuse = indexFitsShape
    indexFitsShape = false
    var sameShape = false
    closeBrace = try p.object(into: &found, sameShape: &sameShape)
    store = found
    if sameShape && reuse {
      // The same keys at the same places as the record the index was built for: the index still holds.
      indexed = lastIndexed
      uniquelyIndexed = lastUnique
    } else {
      buildIndex()
      lastIndexed = indexed
      lastUnique = uniquelyIndexed
    }
    indexFitsShape = true
  }

  /// Fills the key index for the current record.
  private func buildIndex() {
    guard let unique = keys.build(store.base, count: store.count, line: base) else { return }
    indexed = true
    uniquelyIndexed = unique
  }

  // MARK: - Finding members

  /// The index of the last member named `key` (a later duplicate wins, as in most JSON readers).
  @inline(__always)
  public func index(_ key: StaticString) -> Int? {
    index(UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
  }

  /// The index of the last member named `key`.
  @_disfavoredOverload
  public func index(_ key: String) -> Int? {
    var k = key
    return k.withUTF8 { index(UnsafeRawBufferPointer($0)) }
  }

  /// The index of the last member whose name is these bytes.
  public func index(_ key: UnsafeRawBufferPointer) -> Int? {
    let count = key.count
    let want =
      count == 0 ? RecordScanner.tag(UnsafeRawPointer(bitPattern: 1)!, 0) : RecordScanner.tag(key.baseAddress!, count)
    return index(key, tag: want)
  }

  /// The index of the last member whose name is these bytes, whose tag is `want`.
  func index(_ key: UnsafeRawBufferPointer, tag want: UInt64) -> Int? {
    let count = key.count
    let ms = store.base
    if indexed { return keys.find(key, tag: want, ms, line: base) }
    var found: Int? = nil
    for i in 0..<store.count {
      let m = ms[i]
      guard m.keyTag == want || m.keyEscaped else { continue }
      if m.keyEscaped {
        if Array(unescapedKey(i).utf8).elementsEqual(key) { found = i }
      } else if m.keyEnd - m.keyStart == count
        && (count == 0 || memcmp(base + m.keyStart, key.baseAddress!, count) == 0)
      {
        found = i
      }
    }
    return found
  }

  /// The name of member `i`, unescaped.
  public func key(_ i: Int) -> String {
    members[i].keyEscaped
      ? unescapedKey(i) : String(decoding: slice(members[i].keyStart, members[i].keyEnd), as: UTF8.self)
  }

  private func unescapedKey(_ i: Int) -> String {
    (try? unescape(members[i].keyStart - 1)) ?? ""
  }

  /// Whether the record has a member named `key` (even if null).
  public func has(_ key: StaticString) -> Bool { index(key) != nil }

  /// The raw bytes of member `i`'s value.
  public func rawValue(_ i: Int) -> UnsafeRawBufferPointer {
    slice(members[i].valueStart, members[i].valueEnd)
  }

  /// The raw JSON text of a member's value, or nil when absent.
  public func rawValue(_ key: StaticString) -> UnsafeRawBufferPointer? {
    index(key).map { rawValue($0) }
  }

  // MARK: - Typed accessors

  /// A string member; nil when absent or null. Numbers are refused.
  public func string(_ key: StaticString) throws(FieldError) -> String? {
    guard let i = index(key) else { return nil }
    return try string(at: i, field: key.description)
  }

  /// A string member by dynamic name.
  @_disfavoredOverload
  public func string(_ key: String) throws(FieldError) -> String? {
    guard let i = index(key) else { return nil }
    return try string(at: i, field: key)
  }

  /// The string value of member `i`; nil when null.
  public func string(at i: Int, field: @autoclosure () -> String) throws(FieldError) -> String? {
    let s = members[i].valueStart
    switch byte(s) {
    case UInt8(ascii: "\""): return try unescape(s)
    case UInt8(ascii: "n"): return nil
    default:
      let name = field()
      throw FieldError(name, "expected a string, found \(describe(i, name))")
    }
  }

  /// A code: a string as it is, or a number normalised to its integer text when integral (`1`, `1.0` → `"1"`).
  /// Absent, null and `""` give nil.
  public func code(_ key: StaticString) throws(FieldError) -> String? {
    guard let i = index(key) else { return nil }
    return try code(at: i, field: key.description)
  }

  /// A code by dynamic name.
  @_disfavoredOverload
  public func code(_ key: String) throws(FieldError) -> String? {
    guard let i = index(key) else { return nil }
    return try code(at: i, field: key)
  }

  /// The code value of member `i`.
  public func code(at i: Int, field: @autoclosure () -> String) throws(FieldError) -> String? {
    let m = members[i]
    let c = byte(m.valueStart)
    if c == UInt8(ascii: "\"") {
      let s = try unescape(m.valueStart)
      return s.isEmpty ? nil : s
    }
    if c == UInt8(ascii: "n") { return nil }
    if c == UInt8(ascii: "-") || (c >= 48 && c <= 57) {
      let name = field()
      if RecordScanner.stringOnlyCodes.contains(name) {
        throw FieldError(name, "expected a code in a JSON string (\"…\"), found \(describe(i, name))")
      }
      return RecordScanner.normalizedNumber(slice(m.valueStart, m.valueEnd))
    }
    let name = field()
    throw FieldError(name, "expected a code (string or number), found \(describe(i, name))")
  }

  /// An integer: a JSON integer, a number with an integral value (`65.0`), or a string of digits.
  /// Absent, null and `""` give nil; anything else is an error.
  public func int(_ key: StaticString) throws(FieldError) -> Int64? {
    guard let i = index(key) else { return nil }
    return try int(at: i, field: key.description)
  }

  /// An integer by dynamic name.
  @_disfavoredOverload
  public func int(_ key: String) throws(FieldError) -> Int64? {
    guard let i = index(key) else { return nil }
    return try int(at: i, field: key)
  }

  /// The integer value of member `i`.
  public func int(at i: Int, field: @autoclosure () -> String) throws(FieldError) -> Int64? {
    try fixed(at: i, field: field(), scale: 0, what: "an integer")
  }

  /// Money, straight into fen: `"1234.5"`, `1234.50` and `1234` are exact; more than two decimals (other than
  /// trailing zeros), exponents and non-numbers are errors naming the field. Absent, null and `""` give nil.
  public func fen(_ key: StaticString) throws(FieldError) -> Int64? {
    guard let i = index(key) else { return nil }
    return try fen(at: i, field: key.description)
  }

  /// Money by dynamic name.
  @_disfavoredOverload
  public func fen(_ key: String) throws(FieldError) -> Int64? {
    guard let i = index(key) else { return nil }
    return try fen(at: i, field: key)
  }

  /// The money value of member `i`.
  public func fen(at i: Int, field: @autoclosure () -> String) throws(FieldError) -> Int64? {
    try fixed(at: i, field: field(), scale: 2, what: "an amount in yuan with at most two decimals")
  }

  /// A fixed-point number at `scale`, from a JSON number or a numeric string; more decimals than `scale` are an
  /// error unless zeros.
  public func fixed(_ key: StaticString, scale: Int) throws(FieldError) -> Int64? {
    guard let i = index(key) else { return nil }
    return try fixed(at: i, field: key.description, scale: scale, what: "a number with at most \(scale) decimals")
  }

  /// A fixed-point number by dynamic name.
  @_disfavoredOverload
  public func fixed(_ key: String, scale: Int) throws(FieldError) -> Int64? {
    guard let i = index(key) else { return nil }
    return try fixed(at: i, field: key, scale: scale, what: "a number with at most \(scale) decimals")
  }

  private func fixed(at i: Int, field: @autoclosure () -> String, scale: Int, what: @autoclosure () -> String)
    throws(FieldError) -> Int64?
  {
    let m = members[i]
    var s = m.valueStart
    var e = m.valueEnd
    let c = byte(s)
    if c == UInt8(ascii: "n") { return nil }
    if c == UInt8(ascii: "\"") {
      if e - s == 2 { return nil }
      s += 1
      e -= 1
    } else if !(c == UInt8(ascii: "-") || (c >= 48 && c <= 57)) {
      let name = field()
      throw FieldError(name, "expected \(what()), found \(describe(i, name))")
    }
    if let v = Fixed.parseRaw(slice(s, e), scale: scale) { return v }
    let name = field()
    throw FieldError(name, "expected \(what()), found \(describe(i, name))")
  }

  /// A boolean; nil when absent or null.
  public func bool(_ key: StaticString) throws(FieldError) -> Bool? {
    guard let i = index(key) else { return nil }
    switch byte(members[i].valueStart) {
    case UInt8(ascii: "t"): return true
    case UInt8(ascii: "f"): return false
    case UInt8(ascii: "n"): return nil
    default: throw FieldError(key.description, "expected true or false, found \(describe(i, key.description))")
    }
  }

  /// An array of codes (strings, or numbers normalised); nil when absent or null. Nested arrays and objects
  /// inside are errors.
  public func strings(_ key: StaticString) throws(FieldError) -> [String]? {
    guard let i = index(key) else { return nil }
    var out: [String] = []
    guard try forEachString(at: i, field: key.description, { out.append($0) }) else { return nil }
    return out
  }

  /// An array of codes by dynamic name.
  @_disfavoredOverload
  public func strings(_ key: String) throws(FieldError) -> [String]? {
    guard let i = index(key) else { return nil }
    var out: [String] = []
    guard try forEachString(at: i, field: key, { out.append($0) }) else { return nil }
    return out
  }

  /// Calls `body` for each element of the array member `i`; false when the value is null.
  public func forEachString(at i: Int, field: @autoclosure () -> String, _ body: (String) -> Void) throws(FieldError)
    -> Bool
  {
    let m = members[i]
    let c = byte(m.valueStart)
    if c == UInt8(ascii: "n") { return false }
    guard c == UInt8(ascii: "[") else {
      let name = field()
      throw FieldError(name, "expected an array of codes, found \(describe(i, name))")
    }
    let parser = Parser(base: base, n: n)
    var p = skipSpace(m.valueStart + 1)
    if byte(p) == UInt8(ascii: "]") { return true }
    while true {
      let e = p
      let b = byte(e)
      if b == UInt8(ascii: "\"") {
        let (end, _) = (try? parser.skipString(e)) ?? (e, false)
        body(try unescape(e))
        p = end + 1
      } else if b == UInt8(ascii: "-") || (b >= 48 && b <= 57) {
        let end = (try? parser.skipNumber(e)) ?? e
        body(RecordScanner.normalizedNumber(slice(e, end)))
        p = end
      } else {
        throw FieldError(field(), "expected an array of codes, found an element that is not a string")
      }
      p = skipSpace(p)
      if byte(p) == UInt8(ascii: ",") {
        p = skipSpace(p + 1)
        continue
      }
      return true
    }
  }

  // MARK: - Helpers

  @inline(__always) private func byte(_ i: Int) -> UInt8 {
    i < n ? base.load(fromByteOffset: i, as: UInt8.self) : 0
  }

  @inline(__always) func slice(_ s: Int, _ e: Int) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: base + s, count: e - s)
  }

  @inline(__always) private func skipSpace(_ from: Int) -> Int {
    var i = from
    while i < n {
      let c = base.load(fromByteOffset: i, as: UInt8.self)
      if c != 0x20 && c != 0x09 && c != 0x0A && c != 0x0D { break }
      i += 1
    }
    return i
  }

  /// Identifier codes that must be JSON strings: a number in their place (`"fixmedins_code":1001`) is an error,
  /// not a code spelled from its digits, because a number drops leading zeros and the digits beyond a double's
  /// precision (a hospital would be named after what is left). Other codes (`med_type`, `insutype`) may be numbers.
  public static let stringOnlyCodes: Set<String> = [
    "fixmedins_code", "psn_no", "certno", "setl_id", "mdtrt_id", "init_setl_id",
  ]

  /// The value of member `i` as a message quotes it: its type and up to 40 bytes of its JSON text, masked when
  /// `field` is personal (`Diagnostics.mask`).
  private func describe(_ i: Int, _ field: String) -> String {
    let m = members[i]
    var text = String(decoding: slice(m.valueStart, min(m.valueEnd, m.valueStart + 40)), as: UTF8.self)
    var more = m.valueEnd - m.valueStart > 40 ? "…" : ""
    if Diagnostics.personalFields.contains(field) {
      let whole = String(decoding: slice(m.valueStart, m.valueEnd), as: UTF8.self)
      let quoted = byte(m.valueStart) == UInt8(ascii: "\"") && whole.count >= 2
      let masked = Diagnostics.mask(quoted ? String(whole.dropFirst().dropLast()) : whole, field: field)
      text = quoted ? "\"\(masked)\"" : masked
      more = ""
    }
    switch byte(m.valueStart) {
    case UInt8(ascii: "\""): return "string \(text)\(more)"
    case UInt8(ascii: "{"): return "an object"
    case UInt8(ascii: "["): return "an array"
    case UInt8(ascii: "t"), UInt8(ascii: "f"): return "boolean \(text)"
    case UInt8(ascii: "n"): return "null"
    default: return "number \(text)\(more)"
    }
  }

  /// Decodes the string whose opening quote is at `s` (already validated by `parse`).
  private func unescape(_ s: Int) throws(FieldError) -> String {
    var i = s + 1
    // Fast path: no escapes.
    var j = i
    while j < n {
      let c = base.load(fromByteOffset: j, as: UInt8.self)
      if c == UInt8(ascii: "\"") { return String(decoding: slice(i, j), as: UTF8.self) }
      if c == UInt8(ascii: "\\") { break }
      j += 1
    }
    var out: [UInt8] = []
    out.reserveCapacity(j - i + 16)
    while i < n {
      let c = base.load(fromByteOffset: i, as: UInt8.self)
      if c == UInt8(ascii: "\"") { break }
      if c != UInt8(ascii: "\\") {
        out.append(c)
        i += 1
        continue
      }
      let e = byte(i + 1)
      i += 2
      switch e {
      case UInt8(ascii: "b"): out.append(0x08)
      case UInt8(ascii: "f"): out.append(0x0C)
      case UInt8(ascii: "n"): out.append(0x0A)
      case UInt8(ascii: "r"): out.append(0x0D)
      case UInt8(ascii: "t"): out.append(0x09)
      case UInt8(ascii: "u"):
        var scalar = hex4(i)
        i += 4
        if scalar >= 0xD800 && scalar < 0xDC00 {
          // A high surrogate must be followed by an escaped low surrogate.
          if byte(i) == UInt8(ascii: "\\") && byte(i + 1) == UInt8(ascii: "u") {
            let low = hex4(i + 2)
            if low >= 0xDC00 && low < 0xE000 {
              scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
              i += 6
            } else {
              throw FieldError(nil, "malformed JSON: unpaired surrogate in a \\u escape")
            }
          } else {
            throw FieldError(nil, "malformed JSON: unpaired surrogate in a \\u escape")
          }
        } else if scalar >= 0xDC00 && scalar < 0xE000 {
          throw FieldError(nil, "malformed JSON: unpaired surrogate in a \\u escape")
        }
        let us = Unicode.Scalar(scalar)!
        out.append(contentsOf: Array(String(Character(us)).utf8))
      default: out.append(e)
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  private func hex4(_ at: Int) -> UInt32 {
    var v: UInt32 = 0
    for k in 0..<4 {
      let c = byte(at + k)
      let d: UInt32
      switch c {
      case 48...57: d = UInt32(c - 48)
      case 65...70: d = UInt32(c - 55)
      default: d = UInt32(c &- 87)
      }
      v = v << 4 | d
    }
    return v
  }

  /// The text of a JSON number as a code: integral values lose their fraction (`1.0` → `1`).
  public static func normalizedNumber(_ bytes: UnsafeRawBufferPointer) -> String {
    if let v = Fixed.parseRaw(bytes, scale: 0) { return String(v) }
    return String(decoding: bytes, as: UTF8.self)
  }
}

extension StaticString {
  /// Whether this field name is one of `RecordScanner.stringOnlyCodes` (a code that must be a JSON string).
  public var isStringOnlyCode: Bool { RecordScanner.stringOnlyCodes.contains(description) }
}
