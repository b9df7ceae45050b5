/// Fast appends of JSON pieces into a byte buffer, for generating millions of records without String formatting.
extension Array where Element == UInt8 {
  /// Appends a literal.
  @inline(__always) mutating func lit(_ s: StaticString) {
    append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
  }

  /// Appends a decimal integer.
  @inline(__always) mutating func num(_ v: Int) {
    if v < 0 {
      append(UInt8(ascii: "-"))
      num(-v)
      return
    }
    if v < 10 {
      append(UInt8(48 + v))
      return
    }
    var width = 1
    var p = 10
    while p <= v {
      width += 1
      p *= 10
    }
    padded(v, width)
  }

  /// Appends an integer zero-padded to `width` digits.
  @inline(__always) mutating func padded(_ v: Int, _ width: Int) {
    var p = 1
    for _ in 1..<width { p *= 10 }
    var n = v
    while p > 0 {
      append(UInt8(48 + (n / p) % 10))
      n %= p
      p /= 10
    }
  }

  /// Appends fen as yuan with two decimals.
  @inline(__always) mutating func fen(_ v: Int64) {
    var m = v
    if m < 0 {
      append(UInt8(ascii: "-"))
      m = -m
    }
    num(Int(m / 100))
    append(UInt8(ascii: "."))
    padded(Int(m % 100), 2)
  }

  /// Appends a literal (a member's key) and an amount in yuan of `v` fen.
  @inline(__always) mutating func fenField(_ key: StaticString, _ v: Int64) {
    lit(key)
    fen(v)
  }

  /// Appends a JSON string of plain ASCII/UTF-8 text that needs no escaping (codes, names we made).
  @inline(__always) mutating func str(_ s: [UInt8]) {
    append(UInt8(ascii: "\""))
    append(contentsOf: s)
    append(UInt8(ascii: "\""))
  }

  /// Appends `yyyy-MM-dd HH:mm:ss` for a day of the year (0-based) and seconds of the day.
  mutating func dateTime(year: Int, day: Int, seconds: Int) {
    date(year: year, day: day)
    append(UInt8(ascii: " "))
    padded(seconds / 3600, 2)
    append(UInt8(ascii: ":"))
    padded(seconds / 60 % 60, 2)
    append(UInt8(ascii: ":"))
    padded(seconds % 60, 2)
  }

  /// Appends `yyyy-MM-dd` for a day offset from 1 January of `year` (may be negative or past the year's end).
  mutating func date(year: Int, day: Int) {
    var y = year
    var d = day
    while d < 0 {
      y -= 1
      d += daysIn(y)
    }
    while d >= daysIn(y) {
      d -= daysIn(y)
      y += 1
    }
    let lengths = [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    var m = 0
    while d >= lengths[m] {
      d -= lengths[m]
      m += 1
    }
    padded(y, 4)
    append(UInt8(ascii: "-"))
    padded(m + 1, 2)
    append(UInt8(ascii: "-"))
    padded(d + 1, 2)
  }
}

/// Whether `y` is a leap year.
func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
/// Days in year `y`.
func daysIn(_ y: Int) -> Int { isLeap(y) ? 366 : 365 }
