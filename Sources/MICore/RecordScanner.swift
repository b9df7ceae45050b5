import Foundation

/// A byte-level scanner of one NDJSON record: it finds the top-level members of a JSON object and reads their
/// values on demand, without building a tree and without Foundation's JSON.
///
/// One scanner is reused line after line (`parse(_:)`), so the record path allocates nothing. The whole line is
/// validated as JSON when it is parsed: nested values are skipped structurally, strings are checked for escapes
/// and control characters, numbers for the JSON grammar. Accessors return nil for a member that is absent or
/// `null`, and throw `FieldError` naming the field when its value has the wrong type.
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

  /// The tag of a key's raw bytes: its length and up to its first and last eight bytes, mixed.
  @inline(__always)
  static func tag(_ p: UnsafeRawPointer, _ count: Int, readable: Int = 0) -> UInt64 {
    var t = UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15
    if count >= 8 {
      t ^= p.loadUnaligned(as: UInt64.self)
      t ^= p.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) &* 0xBF58_476D_1CE4_E5B9
    } else if readable >= 8 {
      // Eight bytes can be read: one load, the bytes past the key masked off (the same value as the loop below).
      t ^= p.loadUnaligned(as: UInt64.self) & ((1 << (UInt64(truncatingIfNeeded: count) &* 8)) &- 1)
    } else {
      var v: UInt64 = 0
      for k in 0..<count { v |= UInt64(p.load(fromByteOffset: k, as: UInt8.self)) << UInt64(8 * k) }
      t ^= v
    }
    return t
  }

  /// The line being scanned (valid until the reader's next line).
  public private(set) var line = UnsafeRawBufferPointer(start: nil, count: 0)
  /// The members in the order they appear (valid until the next `parse`).
  public var members: UnsafeBufferPointer<Member> { UnsafeBufferPointer(start: store.base, count: store.count) }
  /// Offset of the object's closing brace.
  public private(set) var closeBrace = 0

  /// The members' storage, reused from line to line.
  private var store = MemberStore()
  /// The key index of the current record: an open-addressing table of `slotCount` entries, each the record's
  /// generation (high 32 bits) and a member's index (low 32 bits); an entry of another generation is empty, so
  /// nothing is cleared between records. Records with many members or escaped keys are searched linearly.
  private let slots: UnsafeMutablePointer<UInt64>
  private var generation: UInt64 = 0
  private var indexed = false
  /// The current record is in the key index and has no duplicate keys: `index` finds every member by name.
  private(set) var uniquelyIndexed = false
  /// The index was built for the keys of the store's shape (false after a line that failed to parse).
  private var indexFitsShape = false
  private var lastIndexed = false
  private var lastUnique = false
  private static let slotCount = 256
  private static let maxIndexed = 128

  private var base: UnsafeRawPointer { line.baseAddress! }
  private var n: Int { line.count }

  /// Creates a scanner.
  public init() {
    slots = .allocate(capacity: RecordScanner.slotCount)
    slots.initialize(repeating: 0, count: RecordScanner.slotCount)
  }

  deinit {
    slots.deallocate()
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
    let count = store.count
    guard count <= RecordScanner.maxIndexed else { return }
    generation &+= 1
    if generation > UInt64(UInt32.max) {
      slots.update(repeating: 0, count: RecordScanner.slotCount)
      generation = 1
    }
    let gen = generation << 32
    let ms = store.base
    let b = base
    var unique = true
    for i in 0..<count {
      let m = ms[i]
      if m.keyEscaped { return }
      var s = RecordScanner.slot(m.keyTag)
      while true {
        let e = slots[s]
        if e & 0xFFFF_FFFF_0000_0000 != gen {
          slots[s] = gen | UInt64(i)
          break
        }
        let o = ms[Int(truncatingIfNeeded: e & 0xFFFF_FFFF)]
        if o.keyTag == m.keyTag && o.keyEnd - o.keyStart == m.keyEnd - m.keyStart
          && memcmp(b + o.keyStart, b + m.keyStart, m.keyEnd - m.keyStart) == 0
        {
          slots[s] = gen | UInt64(i)  // a later duplicate wins
          unique = false
          break
        }
        s = (s + 1) & (RecordScanner.slotCount - 1)
      }
    }
    indexed = true
    uniquelyIndexed = unique
  }

  @inline(__always) private static func slot(_ tag: UInt64) -> Int {
    Int(truncatingIfNeeded: (tag &* 0x9E37_79B9_7F4A_7C15) >> 56)
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
    if indexed {
      let gen = generation << 32
      var s = RecordScanner.slot(want)
      while true {
        let e = slots[s]
        if e & 0xFFFF_FFFF_0000_0000 != gen { return nil }
        let i = Int(truncatingIfNeeded: e & 0xFFFF_FFFF)
        let m = ms[i]
        if m.keyTag == want && m.keyEnd - m.keyStart == count
          && (count == 0 || memcmp(base + m.keyStart, key.baseAddress!, count) == 0)
        {
          return i
        }
        s = (s + 1) & (RecordScanner.slotCount - 1)
      }
    }
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

/// The members of the record being scanned: growable storage owned by the scanner and reused from line to line.
struct MemberStore {
  var base: UnsafeMutablePointer<RecordScanner.Member>
  var count = 0
  var capacity = 64
  /// The keys of the last record, by place (for `Parser.object`): keys of up to 24 bytes without escapes as
  /// masked words, others as length 0 (never matched).
  var shape: UnsafeMutablePointer<ShapeKey>
  var shapeCount = 0
  var shapeCapacity = 64

  /// One key of the shape.
  struct ShapeKey {
    var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0
    var m0: UInt64 = 0, m1: UInt64 = 0, m2: UInt64 = 0
    var length = 0
    var tag: UInt64 = 0
  }

  init() {
    base = .allocate(capacity: capacity)
    shape = .allocate(capacity: shapeCapacity)
  }

  /// The end (offset of the closing quote) and tag of the key starting at `start` when it is the shape's key `k`.
  @inline(__always)
  func matchShape(_ k: Int, _ line: UnsafeRawPointer, _ start: Int, _ n: Int) -> (end: Int, tag: UInt64)? {
    guard k < shapeCount else { return nil }
    let s = shape + k
    let len = s.pointee.length
    guard len > 0, start + ((len + 7) & ~7) <= n, start + len < n else { return nil }
    let p = line + start
    guard p.loadUnaligned(as: UInt64.self) & s.pointee.m0 == s.pointee.w0 else { return nil }
    if len > 8 {
      guard p.loadUnaligned(fromByteOffset: 8, as: UInt64.self) & s.pointee.m1 == s.pointee.w1 else { return nil }
      if len > 16 {
        guard p.loadUnaligned(fromByteOffset: 16, as: UInt64.self) & s.pointee.m2 == s.pointee.w2 else { return nil }
      }
    }
    guard p.load(fromByteOffset: len, as: UInt8.self) == UInt8(ascii: "\"") else { return nil }
    return (start + len, s.pointee.tag)
  }

  /// Records key `k` of the current record (its `count` bytes at `p`) in the shape.
  mutating func learn(_ k: Int, _ p: UnsafeRawPointer, _ count: Int, escaped: Bool, tag: UInt64) {
    if k >= shapeCapacity {
      let bigger = UnsafeMutablePointer<ShapeKey>.allocate(capacity: shapeCapacity * 2)
      bigger.moveInitialize(from: shape, count: shapeCount)
      shape.deallocate()
      shape = bigger
      shapeCapacity *= 2
    }
    var key = ShapeKey()
    if !escaped && count > 0 && count <= 24 {
      key.length = count
      key.tag = tag
      func word(_ j: Int) -> (UInt64, UInt64) {
        let have = min(8, count - 8 * j)
        guard have > 0 else { return (0, 0) }
        var w: UInt64 = 0
        for b in 0..<have { w |= UInt64(p.load(fromByteOffset: 8 * j + b, as: UInt8.self)) << UInt64(8 * b) }
        return (w, have == 8 ? ~0 : (1 << UInt64(8 * have)) - 1)
      }
      (key.w0, key.m0) = word(0)
      (key.w1, key.m1) = word(1)
      (key.w2, key.m2) = word(2)
    }
    (shape + k).initialize(to: key)
    if k >= shapeCount { shapeCount = k + 1 }
  }

  @inline(__always) mutating func append(_ m: RecordScanner.Member) {
    if count == capacity { grow() }
    (base + count).initialize(to: m)
    count += 1
  }

  private mutating func grow() {
    let bigger = UnsafeMutablePointer<RecordScanner.Member>.allocate(capacity: capacity * 2)
    bigger.moveInitialize(from: base, count: count)
    base.deallocate()
    base = bigger
    capacity *= 2
  }
}

/// The validating scan of one line: a value type over the line's bytes, so the hot loop is free of class accesses.
struct Parser {
  let base: UnsafeRawPointer
  let n: Int

  @inline(__always) func byte(_ i: Int) -> UInt8 {
    i < n ? base.load(fromByteOffset: i, as: UInt8.self) : 0
  }

  @inline(__always) func skipSpace(_ from: Int) -> Int {
    var i = from
    while i < n {
      let c = base.load(fromByteOffset: i, as: UInt8.self)
      if c > 0x20 || (c != 0x20 && c != 0x09 && c != 0x0A && c != 0x0D) { break }
      i += 1
    }
    return i
  }

  /// Whether the byte at `i` is a decimal digit.
  @inline(__always) func isDigit(_ i: Int) -> Bool {
    i < n && base.load(fromByteOffset: i, as: UInt8.self) &- 48 < 10
  }

  func syntax(_ at: Int, _ message: String) -> FieldError {
    FieldError(nil, "malformed JSON at byte \(at + 1): \(message)")
  }

  /// Scans the top-level object, appending its members; returns the offset of the closing brace.
  ///
  /// Records of a file mostly share their keys in the same order: a key equal to the one at the same place in the
  /// previous record (`members.shape`) is recognised by comparing whole words, without scanning it again — the
  /// same bytes pass the same checks. `sameShape` tells whether every key matched and the count is the same.
  func object(into members: inout MemberStore, sameShape: inout Bool) throws(FieldError) -> Int {
    let previous = members.shapeCount
    var matched = true
    var i = skipSpace(0)
    guard i < n, byte(i) == UInt8(ascii: "{") else {
      throw FieldError(nil, "not a JSON object: the line must start with '{'")
    }
    i = skipSpace(i + 1)
    var close = i
    if i < n && byte(i) == UInt8(ascii: "}") {
      close = i
    } else {
      while true {
        guard i < n, byte(i) == UInt8(ascii: "\"") else { throw syntax(i, "expected a member name in double quotes") }
        let memberStart = i
        let k = members.count
        let keyEnd: Int
        let escaped: Bool
        let tag: UInt64
        if let known = members.matchShape(k, base, i + 1, n) {
          keyEnd = known.end
          escaped = false
          tag = known.tag
        } else {
          (keyEnd, escaped) = try skipString(i)
          tag = RecordScanner.tag(base + memberStart + 1, keyEnd - memberStart - 1, readable: n - memberStart - 1)
          members.learn(k, base + memberStart + 1, keyEnd - memberStart - 1, escaped: escaped, tag: tag)
          matched = false
        }
        i = skipSpace(keyEnd + 1)
        guard i < n, byte(i) == UInt8(ascii: ":") else { throw syntax(i, "expected ':' after a member name") }
        i = skipSpace(i + 1)
        let valueStart = i
        // Strings and numbers, nearly every value of a record, are scanned here; the rest by `skipValue`.
        let c = byte(i)
        if c == UInt8(ascii: "\"") {
          i = try skipString(i).0 + 1
        } else if c &- 48 < 10 || c == UInt8(ascii: "-") {
          i = try skipNumber(i)
        } else {
          i = try skipValue(i, depth: 0)
        }
        members.append(
          RecordScanner.Member(
            keyStart: memberStart + 1, keyEnd: keyEnd, memberStart: memberStart, valueStart: valueStart, valueEnd: i,
            keyEscaped: escaped, keyTag: tag))
        i = skipSpace(i)
        guard i < n else { throw syntax(i, "unterminated object: missing '}'") }
        if byte(i) == UInt8(ascii: ",") {
          i = skipSpace(i + 1)
          continue
        }
        guard byte(i) == UInt8(ascii: "}") else { throw syntax(i, "expected ',' or '}' after a value") }
        close = i
        break
      }
    }
    if skipSpace(close + 1) != n { throw syntax(close + 1, "unexpected text after the object") }
    sameShape = matched && members.count == previous
    members.shapeCount = members.count
    return close
  }

  /// Skips a string starting at the quote at `s`; returns the offset of the closing quote and whether it has escapes.
  func skipString(_ s: Int) throws(FieldError) -> (Int, Bool) {
    var i = s + 1
    var escaped = false
    while i < n {
      // Eight bytes at a time while none is a quote, a backslash or a control character.
      while i + 8 <= n {
        let x = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let q = x ^ (ones &* 0x22)
        let b = x ^ (ones &* 0x5C)
        // A quote, a backslash, a control character, or a byte of a multi-byte UTF-8 sequence (checked below).
        let special = ((q &- ones) & ~q) | ((b &- ones) & ~b) | ((x &- ones &* 0x20) & ~x) | x
        let found = special & high
        if found != 0 {
          // The lowest flagged byte is exact (borrows only make false flags above a true one): go straight to it.
          i += found.trailingZeroBitCount >> 3
          break
        }
        i += 8
      }
      guard i < n else { break }
      let c = base.load(fromByteOffset: i, as: UInt8.self)
      if c == UInt8(ascii: "\"") { return (i, escaped) }
      if c == UInt8(ascii: "\\") {
        escaped = true
        guard i + 1 < n else { break }
        let e = base.load(fromByteOffset: i + 1, as: UInt8.self)
        switch e {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
          UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
          i += 2
        case UInt8(ascii: "u"):
          guard i + 5 < n, (2...5).allSatisfy({ isHex(base.load(fromByteOffset: i + $0, as: UInt8.self)) }) else {
            throw syntax(i, "bad \\u escape in a string")
          }
          i += 6
        default: throw syntax(i, "bad escape in a string")
        }
        continue
      }
      if c >= 0x80 {
        guard let len = UTF8Check.sequenceLength(base, i, n) else { throw FieldError(nil, UTF8Check.message(at: i)) }
        i += len
        continue
      }
      if c < 0x20 { throw syntax(i, "control character in a string") }
      i += 1
    }
    throw syntax(s, "unterminated string")
  }

  @inline(__always) func isHex(_ c: UInt8) -> Bool {
    (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)
  }

  func skipNumber(_ s: Int) throws(FieldError) -> Int {
    var i = s
    if byte(i) == UInt8(ascii: "-") { i += 1 }
    let first = byte(i)
    if first == UInt8(ascii: "0") {
      i += 1
    } else if first &- 49 < 9 {
      i += 1
      while isDigit(i) { i += 1 }
    } else {
      throw syntax(s, "bad number")
    }
    var c = byte(i)
    if c == UInt8(ascii: ".") {
      i += 1
      guard isDigit(i) else { throw syntax(s, "bad number") }
      i += 1
      while isDigit(i) { i += 1 }
      c = byte(i)
    }
    if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
      i += 1
      if byte(i) == UInt8(ascii: "+") || byte(i) == UInt8(ascii: "-") { i += 1 }
      guard isDigit(i) else { throw syntax(s, "bad number") }
      while isDigit(i) { i += 1 }
    }
    return i
  }

  func skipLiteral(_ s: Int, _ word: StaticString) throws(FieldError) -> Int {
    let len = word.utf8CodeUnitCount
    guard s + len <= n, memcmp(base + s, word.utf8Start, len) == 0 else { throw syntax(s, "unexpected character") }
    return s + len
  }

  /// Skips any JSON value starting at `s`; nested values are checked too.
  func skipValue(_ s: Int, depth: Int) throws(FieldError) -> Int {
    guard depth < 512 else { throw syntax(s, "values nested too deeply") }
    guard s < n else { throw syntax(s, "expected a value") }
    switch byte(s) {
    case UInt8(ascii: "\""): return try skipString(s).0 + 1
    case UInt8(ascii: "{"):
      var i = skipSpace(s + 1)
      if byte(i) == UInt8(ascii: "}") { return i + 1 }
      while true {
        guard byte(i) == UInt8(ascii: "\"") else { throw syntax(i, "expected a member name in double quotes") }
        i = skipSpace(try skipString(i).0 + 1)
        guard byte(i) == UInt8(ascii: ":") else { throw syntax(i, "expected ':' after a member name") }
        i = skipSpace(try skipValue(skipSpace(i + 1), depth: depth + 1))
        if byte(i) == UInt8(ascii: ",") {
          i = skipSpace(i + 1)
          continue
        }
        guard byte(i) == UInt8(ascii: "}") else { throw syntax(i, "expected ',' or '}' in an object") }
        return i + 1
      }
    case UInt8(ascii: "["):
      var i = skipSpace(s + 1)
      if byte(i) == UInt8(ascii: "]") { return i + 1 }
      while true {
        i = skipSpace(try skipValue(i, depth: depth + 1))
        if byte(i) == UInt8(ascii: ",") {
          i = skipSpace(i + 1)
          continue
        }
        guard byte(i) == UInt8(ascii: "]") else { throw syntax(i, "expected ',' or ']' in an array") }
        return i + 1
      }
    case UInt8(ascii: "t"): return try skipLiteral(s, "true")
    case UInt8(ascii: "f"): return try skipLiteral(s, "false")
    case UInt8(ascii: "n"): return try skipLiteral(s, "null")
    default: return try skipNumber(s)
    }
  }
}

extension StaticString {
  /// Whether this field name is one of `RecordScanner.stringOnlyCodes` (a code that must be a JSON string).
  public var isStringOnlyCode: Bool { RecordScanner.stringOnlyCodes.contains(description) }
}
