import MICore

/// An exact fraction `n / d` (d > 0) over 128-bit integers, for the outlier formulas of DOMAIN.md §2.3.
///
/// DOMAIN.md §9.3 asks for no intermediate rounding ("`1575 × 5000/12344.5949 = 637.9310` (no intermediate
/// rounding)"): a cost ratio is carried as a fraction through the formula and rounded once, half away from zero
/// (四舍五入), to the output scale. Products cancel common factors first; a result that still does not fit
/// 128 bits throws `Exact.Overflow` (amounts far beyond any real case), never traps.
struct Exact: Sendable, Equatable {
  /// Numerator.
  var n: Int128
  /// Denominator, always > 0.
  var d: Int128

  /// Thrown when an exact product does not fit 128 bits.
  struct Overflow: Error {}

  /// `n / d`; `d` must not be 0.
  init(_ n: Int128, _ d: Int128 = 1) {
    precondition(d != 0, "zero denominator")
    self.n = d < 0 ? -n : n
    self.d = d < 0 ? -d : d
  }

  /// A fixed-point value: raw / 10^scale.
  init(raw: Int64, scale: Int) {
    self.init(Int128(raw), Int128(Fixed.pow10(scale)))
  }

  /// Greatest common divisor of magnitudes (gcd(0, x) = x).
  static func gcd(_ a: Int128, _ b: Int128) -> Int128 {
    var x = a.magnitude
    var y = b.magnitude
    while y != 0 { (x, y) = (y, x % y) }
    return Int128(x)
  }

  /// Checked product of two integers.
  static func mul(_ a: Int128, _ b: Int128) throws(Overflow) -> Int128 {
    let (r, o) = a.multipliedReportingOverflow(by: b)
    if o { throw Overflow() }
    return r
  }

  /// The product, cancelling across first.
  func times(_ o: Exact) throws(Overflow) -> Exact {
    let g1 = Exact.gcd(n, o.d)
    let g2 = Exact.gcd(o.n, d)
    let a = g1 == 0 ? n : n / g1
    let od = g1 == 0 ? o.d : o.d / g1
    let b = g2 == 0 ? o.n : o.n / g2
    let dd = g2 == 0 ? d : d / g2
    return Exact(try Exact.mul(a, b), try Exact.mul(dd, od))
  }

  /// The quotient; nil when `o` is zero.
  func over(_ o: Exact) throws(Overflow) -> Exact? {
    if o.n == 0 { return nil }
    return try times(Exact(o.d, o.n))
  }

  /// The sum.
  func plus(_ o: Exact) throws(Overflow) -> Exact {
    let g = Exact.gcd(d, o.d)
    let l = d / g
    let r = o.d / g
    let (a, oa) = try Exact.mul(n, r).addingReportingOverflow(try Exact.mul(o.n, l))
    if oa { throw Overflow() }
    return Exact(a, try Exact.mul(l, o.d)).reduced()
  }

  /// The difference.
  func minus(_ o: Exact) throws(Overflow) -> Exact { try plus(Exact(-o.n, o.d)) }

  /// Lowest terms.
  func reduced() -> Exact {
    let g = Exact.gcd(n, d)
    return g > 1 ? Exact(n / g, d / g) : self
  }

  /// Compares with another fraction by cross-multiplication: -1, 0 or 1.
  func compare(_ o: Exact) throws(Overflow) -> Int {
    let a = try Exact.mul(n, o.d)
    let b = try Exact.mul(o.n, d)
    return a < b ? -1 : (a == b ? 0 : 1)
  }

  /// The value in units of 10^-scale, rounded half away from zero (四舍五入).
  func rounded(scale: Int) throws(Overflow) -> Int64 {
    let num = try Exact.mul(n, Int128(Fixed.pow10(scale)))
    let (q, r) = num.quotientAndRemainder(dividingBy: d)
    var out = q
    // Half away from zero: the remainder's magnitude at least half the denominator.
    if r.magnitude * 2 >= d.magnitude { out += num < 0 ? -1 : 1 }
    guard let v = Int64(exactly: out) else { throw Overflow() }
    return v
  }

  /// max(self, 0).
  var clampedAtZero: Exact { n < 0 ? Exact(0) : self }
}
