/// Money in integer fen (分) and fixed-point decimals.
///
/// Money never passes through `Double`: JSON text is parsed straight into `Int64` fen, and formatted back with
/// exactly two decimals. Weights, points and point values are `Fixed` numbers with a scale per quantity
/// (DESIGN.md §3). Rounding is 四舍五入: half away from zero, applied only where a formula says so.
public enum Money {
  /// Parses decimal text (`1234`, `1234.5`, `-0.25`) into fen.
  ///
  /// More than two decimals is an error unless the extra digits are zeros (`1234.500` is exact).
  public static func parse(_ text: String) -> Int64? {
    var copy = text
    return copy.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
  }

  /// Parses decimal bytes into fen; nil when the text is not a plain decimal with at most two decimals.
  public static func parse(_ bytes: UnsafeRawBufferPointer) -> Int64? {
    Fixed.parseRaw(bytes, scale: 2)
  }

  /// Formats fen as yuan with exactly two decimals: `123450` → `1234.50`, `-5` → `-0.05`.
  public static func format(_ fen: Int64) -> String {
    Fixed(raw: fen, scale: 2).description
  }

  /// Appends fen as yuan text to a byte buffer.
  public static func append(_ fen: Int64, to buffer: inout [UInt8]) {
    Fixed.appendRaw(fen, scale: 2, to: &buffer)
  }
}

/// A fixed-point decimal: `raw / 10^scale`, exact.
///
/// Arithmetic that changes the scale rounds half away from zero (四舍五入) and traps on overflow only where the
/// caller's magnitudes make it impossible (a province's money in fen is far below 2^63).
public struct Fixed: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The integer value in units of 10^-scale.
  public var raw: Int64
  /// The number of decimal places.
  public var scale: Int

  /// Creates a fixed-point number from its raw units.
  public init(raw: Int64, scale: Int) {
    precondition(scale >= 0 && scale <= 18, "fixed-point scale out of range")
    self.raw = raw
    self.scale = scale
  }

  /// Creates a whole number at the given scale.
  public init(integer: Int64, scale: Int) {
    self.init(raw: integer * Fixed.pow10(scale), scale: scale)
  }

  /// Parses decimal text at the given scale; with `rounding`, extra decimals round half away from zero.
  public init?(_ text: String, scale: Int, rounding: Bool = false) {
    var copy = text
    guard let raw = copy.withUTF8({ Fixed.parseRaw(UnsafeRawBufferPointer($0), scale: scale, rounding: rounding) })
    else { return nil }
    self.init(raw: raw, scale: scale)
  }

  /// 10^n for 0 ≤ n ≤ 18.
  @inlinable public static func pow10(_ n: Int) -> Int64 {
    var r: Int64 = 1
    for _ in 0..<n { r &*= 10 }
    return r
  }

  /// Parses `[-]digits[.digits]` into units of 10^-scale.
  ///
  /// Without `rounding`, decimals beyond `scale` must be zeros; with it they round half away from zero.
  /// Exponents, signs other than a leading `-`, and empty text are refused.
  public static func parseRaw(_ bytes: UnsafeRawBufferPointer, scale: Int, rounding: Bool = false) -> Int64? {
    let n = bytes.count
    var i = 0
    var negative = false
    if n > 0 && bytes[0] == UInt8(ascii: "-") {
      negative = true
      i = 1
    }
    var value: Int64 = 0
    var digits = 0
    while i < n, bytes[i] >= 48, bytes[i] <= 57 {
      let (m, o1) = value.multipliedReportingOverflow(by: 10)
      let (a, o2) = m.addingReportingOverflow(Int64(bytes[i] - 48))
      if o1 || o2 { return nil }
      value = a
      digits += 1
      i += 1
    }
    var decimals = 0
    var roundUp = false
    if i < n && bytes[i] == UInt8(ascii: ".") {
      i += 1
      var fracDigits = 0
      while i < n, bytes[i] >= 48, bytes[i] <= 57 {
        let d = Int64(bytes[i] - 48)
        if decimals < scale {
          let (m, o1) = value.multipliedReportingOverflow(by: 10)
          let (a, o2) = m.addingReportingOverflow(d)
          if o1 || o2 { return nil }
          value = a
          decimals += 1
        } else if !rounding {
          if d != 0 { return nil }
        } else if decimals == scale && fracDigits == scale {
          roundUp = d >= 5
        }
        fracDigits += 1
        i += 1
      }
      if fracDigits == 0 { return nil }
    }
    if digits == 0 || i != n { return nil }
    while decimals < scale {
      let (m, o) = value.multipliedReportingOverflow(by: 10)
      if o { return nil }
      value = m
      decimals += 1
    }
    if roundUp { value += 1 }
    return negative ? -value : value
  }

  /// Appends the decimal text of `raw / 10^scale` to a byte buffer.
  public static func appendRaw(_ raw: Int64, scale: Int, to buffer: inout [UInt8]) {
    var magnitude = raw.magnitude
    var digits: [UInt8] = []
    digits.reserveCapacity(24)
    var count = 0
    repeat {
      digits.append(UInt8(48 + magnitude % 10))
      magnitude /= 10
      count += 1
      if count == scale { digits.append(UInt8(ascii: ".")) }
    } while magnitude > 0 || count < scale
    if count == scale { digits.append(UInt8(ascii: "0")) }
    if raw < 0 { buffer.append(UInt8(ascii: "-")) }
    buffer.append(contentsOf: digits.reversed())
  }

  /// The decimal text with exactly `scale` decimals.
  public var description: String {
    var b: [UInt8] = []
    Fixed.appendRaw(raw, scale: scale, to: &b)
    return String(decoding: b, as: UTF8.self)
  }

  /// This number at another scale, rounded half away from zero when decimals are dropped.
  public func rescaled(to newScale: Int) -> Fixed {
    if newScale == scale { return self }
    if newScale > scale { return Fixed(raw: raw * Fixed.pow10(newScale - scale), scale: newScale) }
    return Fixed(raw: Fixed.divideRounded(raw, by: Fixed.pow10(scale - newScale)), scale: newScale)
  }

  /// `a × b / d` with a 128-bit intermediate, rounded half away from zero.
  public static func mulDiv(_ a: Int64, _ b: Int64, _ d: Int64) -> Int64 {
    precondition(d != 0, "division by zero")
    let negative = (a < 0) != (b < 0) ? (d > 0) : (d < 0)
    let product = a.magnitude.multipliedFullWidth(by: b.magnitude)
    let dm = d.magnitude
    precondition(product.high < dm, "fixed-point overflow")
    let (q, r) = dm.dividingFullWidth(product)
    var result = q
    // Half away from zero: round up when the remainder is at least half of the divisor.
    if r >= dm - r { result += 1 }
    let signed = Int64(result)
    return negative && signed != 0 ? -signed : signed
  }

  /// `n / d`, rounded half away from zero.
  public static func divideRounded(_ n: Int64, by d: Int64) -> Int64 { mulDiv(n, 1, d) }

  /// The product at `resultScale`, rounded once.
  public func multiplied(by other: Fixed, scale resultScale: Int) -> Fixed {
    let shift = scale + other.scale - resultScale
    if shift >= 0 {
      return Fixed(raw: Fixed.mulDiv(raw, other.raw, Fixed.pow10(shift)), scale: resultScale)
    }
    return Fixed(raw: raw * other.raw * Fixed.pow10(-shift), scale: resultScale)
  }

  /// The quotient at `resultScale`, rounded once; nil when dividing by zero.
  public func divided(by other: Fixed, scale resultScale: Int) -> Fixed? {
    if other.raw == 0 { return nil }
    // self/other at resultScale = raw * 10^(resultScale + other.scale - scale) / other.raw
    let shift = resultScale + other.scale - scale
    if shift >= 0 {
      return Fixed(raw: Fixed.mulDiv(raw, Fixed.pow10(shift), other.raw), scale: resultScale)
    }
    return Fixed(raw: Fixed.mulDiv(raw, 1, other.raw * Fixed.pow10(-shift)), scale: resultScale)
  }

  /// Sum at the larger scale.
  public static func + (a: Fixed, b: Fixed) -> Fixed {
    let s = max(a.scale, b.scale)
    return Fixed(raw: a.rescaled(to: s).raw + b.rescaled(to: s).raw, scale: s)
  }

  /// Difference at the larger scale.
  public static func - (a: Fixed, b: Fixed) -> Fixed {
    let s = max(a.scale, b.scale)
    return Fixed(raw: a.rescaled(to: s).raw - b.rescaled(to: s).raw, scale: s)
  }

  /// Compares by value, whatever the scales.
  public static func < (a: Fixed, b: Fixed) -> Bool {
    let s = max(a.scale, b.scale)
    return a.rescaled(to: s).raw < b.rescaled(to: s).raw
  }

  /// Equal by value, whatever the scales.
  public static func == (a: Fixed, b: Fixed) -> Bool {
    let s = max(a.scale, b.scale)
    return a.rescaled(to: s).raw == b.rescaled(to: s).raw
  }

  /// Hashes the value at scale 18-independent form (trailing zeros stripped).
  public func hash(into hasher: inout Hasher) {
    var r = raw
    var s = scale
    while s > 0 && r % 10 == 0 {
      r /= 10
      s -= 1
    }
    hasher.combine(r)
    hasher.combine(s)
  }

  /// The value as a Double, for reports and statistics only (never for money).
  public var doubleValue: Double { Double(raw) / Double(Fixed.pow10(scale)) }
}
