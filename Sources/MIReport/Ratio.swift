import MICore

/// Exact ratios of integer totals as `Fixed` numbers: the quotient of two 128-bit integers, rounded once, half
/// away from zero (四舍五入), at the scale asked. Indicators are quotients of sums of fen, days and points; no
/// `Double` is involved, so every printed digit is the rounding of the exact quotient.
public enum Ratio {
  /// `n / d` at `scale` decimals; nil when `d` is 0 (an indicator with no denominator is shown as —).
  public static func of(_ n: Int128, _ d: Int128, scale: Int) -> Fixed? {
    guard d != 0 else { return nil }
    let num = n * Int128(Fixed.pow10(scale))
    let negative = (num < 0) != (d < 0)
    let (q, r) = (num.magnitude / d.magnitude, num.magnitude % d.magnitude)
    // Half away from zero: up when the remainder is at least half of the divisor.
    let rounded = r >= d.magnitude - r ? q + 1 : q
    guard rounded <= UInt128(Int64.max) else { return nil }
    return Fixed(raw: negative ? -Int64(rounded) : Int64(rounded), scale: scale)
  }

  /// `n / d` for 64-bit totals.
  public static func of(_ n: Int64, _ d: Int64, scale: Int) -> Fixed? { of(Int128(n), Int128(d), scale: scale) }

  /// The growth `(current − previous) / previous` of two means `cs/cn` and `ps/pn`, exactly:
  /// `(cs × pn − ps × cn) / (ps × cn)`.
  public static func growth(current cs: Int64, _ cn: Int64, previous ps: Int64, _ pn: Int64, scale: Int) -> Fixed? {
    guard cn != 0, pn != 0 else { return nil }
    return of(Int128(cs) * Int128(pn) - Int128(ps) * Int128(cn), Int128(ps) * Int128(cn), scale: scale)
  }

  /// The coefficient of variation SD / mean of values whose count, sum and sum of squares are given, at `scale`
  /// (population SD): `√(n·Σx² − (Σx)²) / Σx`. The square root is the integer root of the radicand scaled by
  /// 10^(2·scale), truncated, then divided by Σx and rounded half up; nil for no values or a zero mean.
  public static func cv(count n: Int64, sum s: Int128, squares q: Int128, scale: Int) -> Fixed? {
    guard n > 0, s > 0 else { return nil }
    let (nq, o1) = Int128(n).multipliedReportingOverflow(by: q)
    let (v, o2) = nq.subtractingReportingOverflow(s * s)
    guard !o1, !o2, v >= 0 else { return nil }
    let p = UInt128(Fixed.pow10(scale))
    let (scaled, o3) = UInt128(v).multipliedReportingOverflow(by: p * p)
    guard !o3 else { return nil }
    return of(Int128(isqrt(scaled)), s, scale: 0).map { Fixed(raw: $0.raw, scale: scale) }
  }

  /// ⌊√x⌋ by Newton's method on integers.
  static func isqrt(_ x: UInt128) -> UInt128 {
    if x < 2 { return x }
    var r = UInt128(Double(x).squareRoot())
    // The double is only a start; correct it to the exact floor.
    while r * r > x { r -= 1 }
    while (r + 1) * (r + 1) <= x { r += 1 }
    return r
  }
}
