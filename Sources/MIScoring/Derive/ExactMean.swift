/// A non-negative integer of any size: the exact numerators and denominators of derived means.
///
/// A 1:2:7 mean of yearly means is a fraction whose denominator is the product of the yearly counts, so comparing
/// two of them, or a score made of two of them, needs more than 128 bits (issue 12 items 2 and 3). Only what the
/// derivation needs is here: sum, product, comparison and division with remainder. None of it is on a per-case
/// path: it runs a few times per group.
struct BigUInt: Comparable, Sendable {
  /// Little-endian 64-bit limbs, without high zero limbs (zero is empty).
  private(set) var limbs: [UInt64]

  /// The value `v`.
  init(_ v: UInt64) { limbs = v == 0 ? [] : [v] }

  /// The value `v`, which must not be negative.
  init(_ v: Int64) {
    precondition(v >= 0, "BigUInt of a negative value")
    self.init(UInt64(v))
  }

  /// Whether the value is zero.
  var isZero: Bool { limbs.isEmpty }

  private mutating func normalize() { while limbs.last == 0 { limbs.removeLast() } }

  /// The number of significant bits.
  var bitWidth: Int { limbs.isEmpty ? 0 : limbs.count * 64 - limbs.last!.leadingZeroBitCount }

  /// The sum.
  static func + (a: BigUInt, b: BigUInt) -> BigUInt {
    var r = BigUInt(UInt64(0))
    r.limbs = [UInt64](repeating: 0, count: max(a.limbs.count, b.limbs.count) + 1)
    var carry: UInt64 = 0
    for i in 0..<(r.limbs.count - 1) {
      let x = i < a.limbs.count ? a.limbs[i] : 0
      let y = i < b.limbs.count ? b.limbs[i] : 0
      let (s1, o1) = x.addingReportingOverflow(y)
      let (s2, o2) = s1.addingReportingOverflow(carry)
      r.limbs[i] = s2
      carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
    }
    r.limbs[r.limbs.count - 1] = carry
    r.normalize()
    return r
  }

  /// The product (schoolbook; the operands have a few limbs).
  static func * (a: BigUInt, b: BigUInt) -> BigUInt {
    if a.isZero || b.isZero { return BigUInt(UInt64(0)) }
    var r = BigUInt(UInt64(0))
    r.limbs = [UInt64](repeating: 0, count: a.limbs.count + b.limbs.count)
    for i in a.limbs.indices {
      var carry: UInt128 = 0
      for j in b.limbs.indices {
        // (2⁶⁴−1)² + 2 × (2⁶⁴−1) = 2¹²⁸ − 1: the sum never overflows 128 bits.
        let t = UInt128(a.limbs[i]) * UInt128(b.limbs[j]) + UInt128(r.limbs[i + j]) + carry
        r.limbs[i + j] = UInt64(truncatingIfNeeded: t)
        carry = t >> 64
      }
      r.limbs[i + b.limbs.count] = UInt64(truncatingIfNeeded: carry)
    }
    r.normalize()
    return r
  }

  /// Orders by value.
  static func < (a: BigUInt, b: BigUInt) -> Bool {
    if a.limbs.count != b.limbs.count { return a.limbs.count < b.limbs.count }
    for i in a.limbs.indices.reversed() where a.limbs[i] != b.limbs[i] { return a.limbs[i] < b.limbs[i] }
    return false
  }

  /// Shifts left by one bit and sets bit 0 to `bit`, in place.
  private mutating func shiftLeftOne(setting bit: Bool) {
    var carry: UInt64 = bit ? 1 : 0
    for i in limbs.indices {
      let next = limbs[i] >> 63
      limbs[i] = (limbs[i] << 1) | carry
      carry = next
    }
    if carry != 0 { limbs.append(carry) }
  }

  /// Subtracts `b` (not above the value), in place.
  private mutating func subtract(_ b: BigUInt) {
    var borrow: UInt64 = 0
    for i in limbs.indices {
      let y = i < b.limbs.count ? b.limbs[i] : 0
      let (d1, o1) = limbs[i].subtractingReportingOverflow(y)
      let (d2, o2) = d1.subtractingReportingOverflow(borrow)
      limbs[i] = d2
      borrow = (o1 ? 1 : 0) + (o2 ? 1 : 0)
    }
    normalize()
  }

  /// ⌊a ÷ b⌋ and the remainder, by binary long division (b > 0).
  static func divMod(_ a: BigUInt, _ b: BigUInt) -> (quotient: BigUInt, remainder: BigUInt) {
    precondition(!b.isZero, "BigUInt division by zero")
    if a < b { return (BigUInt(UInt64(0)), a) }
    var q = BigUInt(UInt64(0))
    q.limbs = [UInt64](repeating: 0, count: a.limbs.count)
    var r = BigUInt(UInt64(0))
    r.limbs.reserveCapacity(b.limbs.count + 1)
    for i in stride(from: a.bitWidth - 1, through: 0, by: -1) {
      r.shiftLeftOne(setting: (a.limbs[i / 64] >> UInt64(i % 64)) & 1 == 1)
      if !(r < b) {
        r.subtract(b)
        q.limbs[i / 64] |= 1 << UInt64(i % 64)
      }
    }
    q.normalize()
    return (q, r)
  }

  /// The value as an Int64, or nil when it does not fit.
  var int64: Int64? {
    if limbs.isEmpty { return 0 }
    guard limbs.count == 1, limbs[0] <= UInt64(Int64.max) else { return nil }
    return Int64(limbs[0])
  }
}

/// An exact non-negative fraction: a derived mean (fen) or a ratio of two, kept unrounded until the one rounding
/// of the printed or stored figure (DESIGN.md §3: round half up at documented steps only).
struct ExactFraction: Sendable, Equatable {
  /// Numerator.
  var num: BigUInt
  /// Denominator, positive.
  var den: BigUInt

  /// `num / den`.
  init(_ num: BigUInt, _ den: BigUInt) {
    self.num = num
    self.den = den
  }

  /// The fraction × `factor`, rounded half up (half away from zero) to an integer once. Traps when the result
  /// does not fit an Int64 (a mean of 10¹³ yuan), which no history reaches.
  func rounded(times factor: Int64 = 1) -> Int64 {
    let scaled = num * BigUInt(factor)
    let (q, r) = BigUInt.divMod(scaled, den)
    // Half up: round up when 2r ≥ den.
    let up = !(r + r < den)
    guard let v = q.int64 else { preconditionFailure("derived figure out of range") }
    return up ? v + 1 : v
  }

  /// `self ÷ other` (other > 0).
  func over(_ other: ExactFraction) -> ExactFraction {
    ExactFraction(num * other.den, den * other.num)
  }

  /// Whether `self ≥ other × (10000 + upliftRaw) / 10000`: the related-operation test of DIP3 p.42 ("at least
  /// 10%"), evaluated without rounding.
  func isAtLeast(_ other: ExactFraction, upliftRaw: Int64) -> Bool {
    // a/b ≥ c/d × (10⁴ + u)/10⁴  ⇔  a × d × 10⁴ ≥ c × b × (10⁴ + u), all terms non-negative.
    let lhs = num * other.den * BigUInt(Int64(10_000))
    let rhs = other.num * den * BigUInt(10_000 + upliftRaw)
    return !(lhs < rhs)
  }

  /// Orders two fractions exactly.
  static func < (a: ExactFraction, b: ExactFraction) -> Bool { a.num * b.den < b.num * a.den }

  /// Whether two fractions are equal in value.
  static func == (a: ExactFraction, b: ExactFraction) -> Bool { !(a < b) && !(b < a) }
}
