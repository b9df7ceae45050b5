import Foundation
import MICore

/// The conversions of one cell's text into its canonical JSON value, straight from the bytes.
public enum Values {
  /// Whether the cell is absent: empty, or the literal `null` (`NULL`) of platform exchange files.
  @inlinable public static func isAbsent(_ b: UnsafeRawBufferPointer) -> Bool {
    if b.isEmpty { return true }
    guard b.count == 4 else { return false }
    let w = b.loadUnaligned(as: UInt32.self) | 0x2020_2020
    return w == 0x6C6C_756E  // "null" little-endian, any case
  }

  /// Appends `b` as a JSON string (quotes included), escaping quotes, backslashes and control characters.
  @inlinable public static func appendString(_ b: UnsafeRawBufferPointer, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    var plain = 0
    for i in 0..<b.count {
      let c = b[i]
      if c >= 0x20 && c != 0x22 && c != 0x5C { continue }
      out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[plain..<i]))
      switch c {
      case 0x22: out.append(contentsOf: [0x5C, 0x22])
      case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
      case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
      case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
      case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
      default:
        let hex = Array("0123456789abcdef".utf8)
        out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(c >> 4)], hex[Int(c & 15)]])
      }
      plain = i + 1
    }
    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[plain...]))
    out.append(UInt8(ascii: "\""))
  }

  /// Money in fen from a cell: plain decimal text with at most two decimals (`12.3` is 12.30); an xlsx number
  /// (`numeric`) may carry the binary tail Excel writes (`10628.360000000001`) and is rounded to the fen when it
  /// lies within a millionth of a yuan of one.
  public static func money(_ b: UnsafeRawBufferPointer, numeric: Bool) -> Int64? {
    if let fen = Money.parse(b) { return fen }
    guard numeric else { return nil }
    let plain = plainNumber(b)
    guard let micro = plain.withUnsafeBytes({ Fixed.parseRaw($0, scale: 6, rounding: true) }) else { return nil }
    let fen = Fixed.divideRounded(micro, by: 10_000)
    return abs(micro - fen * 10_000) <= 1 ? fen : nil
  }

  /// The plain decimal text of a number that may be in exponent form (`1.2E+3` → `1200`), as xlsx stores some.
  public static func plainNumber(_ b: UnsafeRawBufferPointer) -> [UInt8] {
    guard b.contains(where: { $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "e") }),
      let d = Decimal(string: String(decoding: b, as: UTF8.self), locale: Locale(identifier: "en_US_POSIX"))
    else { return Array(b) }
    return Array(NSDecimalNumber(decimal: d).stringValue.utf8)
  }

  /// A whole number (`69`, or `69.0` as a spreadsheet writes it), or nil.
  public static func integer(_ b: UnsafeRawBufferPointer) -> Int64? {
    guard let raw = Fixed.parseRaw(b, scale: 0) else { return nil }
    return raw
  }

  /// Whether the text is a plain decimal number (`-1.5`, `3`), the form JSON can carry as read.
  public static func isDecimal(_ b: UnsafeRawBufferPointer) -> Bool {
    var i = 0
    if i < b.count && b[i] == UInt8(ascii: "-") { i += 1 }
    let intStart = i
    while i < b.count && b[i] >= 48 && b[i] <= 57 { i += 1 }
    if i == intStart { return false }
    if i - intStart > 1 && b[intStart] == 48 { return false }
    if i == b.count { return true }
    guard b[i] == UInt8(ascii: ".") else { return false }
    i += 1
    let frac = i
    while i < b.count && b[i] >= 48 && b[i] <= 57 { i += 1 }
    return i == b.count && i > frac
  }

  /// Appends the canonical `yyyy-MM-dd HH:mm:ss` (or `yyyy-MM-dd` when `dateOnly`) of a time written as extracts
  /// write it, and returns false when the text is none of those forms or not a real day and time:
  /// `2024-05-28 12:00:00`, Java's `2024-05-28 12:00:00.0` (the fraction is dropped, as the platform's own
  /// second-precision fields hold none), `2024/5/28 12:00` (Excel, WPS), `2024-05-28T12:00:00`, `20240528120000`,
  /// `202405281200`, `20240528`, and Excel serial dates (`45440.5`, days since 1899-12-30). A date alone is
  /// midnight; a date field accepts a time only when it is midnight.
  public static func time(_ b: UnsafeRawBufferPointer, dateOnly: Bool, into out: inout [UInt8]) -> Bool {
    if !dateOnly && DateTime.parse(b, time: true) != nil {
      out.append(contentsOf: b)
      return true
    }
    if dateOnly && DateTime.parse(b, time: false) != nil {
      out.append(contentsOf: b)
      return true
    }
    guard let t = parseTime(b) else { return false }
    if dateOnly && (t.h != 0 || t.mi != 0 || t.s != 0) { return false }
    func two(_ v: Int) {
      out.append(UInt8(48 + v / 10))
      out.append(UInt8(48 + v % 10))
    }
    two(t.y / 100)
    two(t.y % 100)
    out.append(UInt8(ascii: "-"))
    two(t.m)
    out.append(UInt8(ascii: "-"))
    two(t.d)
    if dateOnly { return true }
    out.append(UInt8(ascii: " "))
    two(t.h)
    out.append(UInt8(ascii: ":"))
    two(t.mi)
    out.append(UInt8(ascii: ":"))
    two(t.s)
    return true
  }

  /// A parsed, checked time.
  struct Parts {
    var y = 0, m = 0, d = 0, h = 0, mi = 0, s = 0
  }

  /// Parses the forms `time(_:dateOnly:into:)` accepts, checked against the calendar.
  ///
  /// Longer than house size: the digit-only forms, the serials and the separated forms are one dispatch over the
  /// bytes, without building a String per cell.
  static func parseTime(_ b: UnsafeRawBufferPointer) -> Parts? {
    let n = b.count
    guard n > 0 else { return nil }
    var allDigits = true
    var dots = 0
    for c in b {
      if c == UInt8(ascii: ".") { dots += 1 } else if c < 48 || c > 57 { allDigits = false }
    }
    var p = Parts()
    if allDigits && dots == 0 && (n == 8 || n == 12 || n == 14) {
      func num(_ at: Int, _ len: Int) -> Int {
        var v = 0
        for i in at..<(at + len) { v = v * 10 + Int(b[i] - 48) }
        return v
      }
      p.y = num(0, 4)
      p.m = num(4, 2)
      p.d = num(6, 2)
      if n >= 12 {
        p.h = num(8, 2)
        p.mi = num(10, 2)
      }
      if n == 14 { p.s = num(12, 2) }
      return check(p)
    }
    if allDigits && dots <= 1 && n > 0 && b[0] != UInt8(ascii: ".") {
      return serial(b)
    }
    // Separated forms: Y sep M sep D [(' '|'T') H ':' M [':' S ['.' fraction]]].
    var i = 0
    func number(maxDigits: Int) -> Int? {
      let s = i
      var v = 0
      while i < n && b[i] >= 48 && b[i] <= 57 && i - s < maxDigits {
        v = v * 10 + Int(b[i] - 48)
        i += 1
      }
      return i > s ? v : nil
    }
    guard let y = number(maxDigits: 4), i == 4, i < n else { return nil }
    let sep = b[i]
    guard sep == UInt8(ascii: "-") || sep == UInt8(ascii: "/") || sep == UInt8(ascii: ".") else { return nil }
    i += 1
    guard let m = number(maxDigits: 2), i < n, b[i] == sep else { return nil }
    i += 1
    guard let d = number(maxDigits: 2) else { return nil }
    p.y = y
    p.m = m
    p.d = d
    if i < n {
      guard b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: "T") else { return nil }
      i += 1
      guard let h = number(maxDigits: 2), i < n, b[i] == UInt8(ascii: ":") else { return nil }
      i += 1
      guard let mi = number(maxDigits: 2) else { return nil }
      p.h = h
      p.mi = mi
      if i < n && b[i] == UInt8(ascii: ":") {
        i += 1
        guard let s = number(maxDigits: 2) else { return nil }
        p.s = s
        if i < n && b[i] == UInt8(ascii: ".") {
          i += 1
          let f = i
          while i < n && b[i] >= 48 && b[i] <= 57 { i += 1 }
          if i == f { return nil }
        }
      }
      if i != n { return nil }
    }
    return check(p)
  }

  /// The parts when they are a real day and time of day.
  static func check(_ p: Parts) -> Parts? {
    guard p.y >= 1, (1...12).contains(p.m), p.d >= 1, p.d <= DateTime.days(p.y, p.m), p.h < 24, p.mi < 60, p.s < 60
    else { return nil }
    return p
  }

  /// An Excel serial date (1900 date system: day 1 is 1900-01-01, and serial 60 is Excel's phantom 1900-02-29, so
  /// serials from 61 on count from 1899-12-30); the fraction is the time of day, rounded to the second.
  static func serial(_ b: UnsafeRawBufferPointer) -> Parts? {
    guard let nano = Fixed.parseRaw(b, scale: 9, rounding: true) else { return nil }
    let day = nano / 1_000_000_000
    guard day >= 61, day < 2_958_466 else { return nil }  // 1900-03-01 … 9999-12-31
    var seconds = Fixed.mulDiv(nano % 1_000_000_000, 86_400, 1_000_000_000)
    var days = Int(day) - 25_569  // days since 1970-01-01
    if seconds >= 86_400 {
      seconds -= 86_400
      days += 1
    }
    // Civil date from days since the epoch (H. Hinnant, "chrono-compatible low-level date algorithms").
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    var p = Parts()
    p.d = doy - (153 * mp + 2) / 5 + 1
    p.m = mp < 10 ? mp + 3 : mp - 9
    p.y = yoe + era * 400 + (p.m <= 2 ? 1 : 0)
    p.h = Int(seconds / 3600)
    p.mi = Int(seconds % 3600 / 60)
    p.s = Int(seconds % 60)
    return check(p)
  }
}
