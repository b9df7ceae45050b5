import Foundation

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
  ///
  /// Long on purpose: it is the per-record hot loop, kept in one piece so that nothing stands between a key's
  /// recognition and its value's scan (`skipValue` takes the rare nested values).
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
