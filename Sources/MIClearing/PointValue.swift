import MICore

/// Point values (点值) at scale 6 (DESIGN.md §3), DOMAIN.md §3.2.
public enum PointValue {
  /// 年初点值 = 加权平均年度住院总费用 / 加权年度总分值 (DIP3 pp.67–70), years oldest → newest with `weights` (1:2:7).
  ///
  /// The weights' sum cancels, so the value is `Σ wᵢ·costᵢ / Σ wᵢ·pointsᵢ`, rounded once to 6 decimals.
  /// DOMAIN.md §9.2: 100 M / 110 M / 120 M over 14.0 M / 14.5 M / 15.0 M → 7.837838.
  public static func initial(costsFen: [Int64], pointsRaw: [Int64], weights: [Int64]) -> Fixed {
    var cost: Int64 = 0
    var points: Int64 = 0
    for i in costsFen.indices {
      cost += weights[i] * costsFen[i]
      points += weights[i] * pointsRaw[i]
    }
    return settlement(totalCostFen: cost, pointsRaw: points)
  }

  /// The point value that spends `totalCostFen` (总费用口径) over `pointsRaw` points (scale 4), rounded to 6 decimals:
  /// `(fen / 100) / (raw / 10⁴) × 10⁶ = fen × 10⁸ / raw`.
  public static func settlement(totalCostFen: Int64, pointsRaw: Int64) -> Fixed {
    Fixed(raw: Fixed.mulDiv(totalCostFen, 100_000_000, pointsRaw), scale: 6)
  }

  /// 年度预算住院总费用 = fund budget ÷ 医保支付比例, in fen (rounded once).
  ///
  /// With a given ratio (scale 6) `budget × 10⁶ / ratio`; computed, `budget × Σ medfee_sumamt / Σ hifp_pay` without
  /// rounding the ratio first. DOMAIN.md §9.2: 90,000,000 / 0.75 = 120,000,000.
  public static func totalCost(budgetFen: Int64, ratio: Fixed?, medfeeFen: Int64, fundFen: Int64) -> Int64? {
    if let ratio { return Fixed.mulDiv(budgetFen, Fixed.pow10(ratio.scale), ratio.raw) }
    guard fundFen > 0 else { return nil }
    return Fixed.mulDiv(budgetFen, medfeeFen, fundFen)
  }

  /// 结算点值 of the floating mode = (budget ÷ 医保支付比例) ÷ points, rounded once to 6 decimals from the exact
  /// quotient (the total cost is not rounded to the fen first; 128-bit integers, no `Double`).
  ///
  /// With a given ratio (raw at its scale s): `budget × 10^(s+8) / (ratio × raw points)`; computed,
  /// `budget × Σ medfee × 10⁸ / (Σ hifp × raw points)`. One case of 1,234,567.8901 points, budget 20,000,000.99 and
  /// ratio 0.7 gives 23.142858 (23.14285849…), where rounding the total cost first gave 23.142859.
  /// Nil when there are no points or, for a computed ratio, no fund amount.
  public static func floating(
    budgetFen: Int64, ratio: Fixed?, medfeeFen: Int64, fundFen: Int64, pointsRaw: Int64
  ) -> Fixed? {
    guard pointsRaw > 0, budgetFen >= 0 else { return nil }
    let num: UInt128
    let den: UInt128
    if let ratio {
      guard ratio.raw > 0 else { return nil }
      num = UInt128(budgetFen) * UInt128(Fixed.pow10(ratio.scale)) * 100_000_000
      den = UInt128(ratio.raw) * UInt128(pointsRaw)
    } else {
      guard fundFen > 0, medfeeFen >= 0 else { return nil }
      num = UInt128(budgetFen) * UInt128(medfeeFen) * 100_000_000
      den = UInt128(fundFen) * UInt128(pointsRaw)
    }
    var q = num / den
    // Half up (四舍五入): the remainder is below den < 2¹²⁶, so doubling it cannot overflow.
    if (num % den) * 2 >= den { q += 1 }
    guard q <= UInt128(Int64.max) else { return nil }
    return Fixed(raw: Int64(q), scale: 6)
  }

  /// The amount of `pointsRaw` points (scale 4) at `value` (scale 6), in fen: `raw × v / 10⁸`, rounded once.
  public static func amount(pointsRaw: Int64, value: Fixed) -> Int64 {
    Fixed.mulDiv(pointsRaw, value.rescaled(to: 6).raw, 100_000_000)
  }

  /// The elastic (弹性) split of a pool: base points bought at the year-start value with `baseShare` of the total,
  /// the increment floating over the rest, optionally capped (DIP3 pp.54–55 "基准服务量固定 + 增量浮动") [U design].
  public struct Elastic: Sendable, Equatable {
    /// 基准服务量: base points (scale 4) = base share × total ÷ year-start value, at most the pool's points.
    public var basePointsRaw: Int64
    /// 增量点数 (scale 4).
    public var incrementPointsRaw: Int64
    /// 增量点值 (scale 6) = (total − base amount) ÷ increment points, capped; nil when there is no increment.
    public var incrementValue: Fixed?
    /// The pool's points amount in fen: base points × year-start value + increment points × increment value.
    public var amountFen: Int64
    /// Whether the cap lowered the increment value.
    public var capped: Bool
  }

  /// Splits a pool's points into base and increment (elastic mode).
  public static func elastic(
    totalCostFen: Int64, pointsRaw: Int64, initial: Fixed, baseShare: Fixed, cap: Fixed?
  ) -> Elastic {
    let baseBudget = Fixed.mulDiv(totalCostFen, baseShare.raw, Fixed.pow10(baseShare.scale))
    // Base points = base budget ÷ initial value: fen × 10⁸ / v6 gives points at scale 4.
    let basePoints = min(pointsRaw, Fixed.mulDiv(baseBudget, 100_000_000, initial.rescaled(to: 6).raw))
    let increment = pointsRaw - basePoints
    let baseAmount = amount(pointsRaw: basePoints, value: initial)
    guard increment > 0 else {
      return Elastic(
        basePointsRaw: basePoints, incrementPointsRaw: 0, incrementValue: nil, amountFen: baseAmount, capped: false)
    }
    var value = settlement(totalCostFen: max(0, totalCostFen - baseAmount), pointsRaw: increment)
    var capped = false
    if let cap {
      let limit = initial.multiplied(by: cap, scale: 6)
      if value > limit {
        value = limit
        capped = true
      }
    }
    return Elastic(
      basePointsRaw: basePoints, incrementPointsRaw: increment, incrementValue: value,
      amountFen: baseAmount + amount(pointsRaw: increment, value: value), capped: capped)
  }
}

/// Splitting a pool total over hospitals so that the shares add up to the total to the fen (DESIGN.md §3).
public enum Allocation {
  /// Largest-remainder allocation of `totalFen` in proportion to `weights` (non-negative).
  ///
  /// Each share is first `⌊total × wᵢ / W⌋` (128-bit intermediate); the fen left over go one each to the largest
  /// remainders, ties to the smaller key (the keys are the hospitals' codes, so the result does not depend on input
  /// order). A zero total weight gives zero shares. A negative total is allocated as the negation of its magnitude.
  public static func largestRemainder(_ totalFen: Int64, weights: [Int64], keys: [String]) -> [Int64] {
    precondition(weights.count == keys.count, "one key per weight")
    let w = weights.reduce(0, +)
    guard w > 0, totalFen != 0 else { return weights.map { _ in 0 } }
    let magnitude = totalFen.magnitude
    var shares: [Int64] = []
    var remainders: [(UInt64, String, Int)] = []
    var given: UInt64 = 0
    for (i, wi) in weights.enumerated() {
      let product = magnitude.multipliedFullWidth(by: UInt64(wi))
      let (q, r) = UInt64(w).dividingFullWidth(product)
      shares.append(Int64(q))
      given += q
      remainders.append((r, keys[i], i))
    }
    var left = magnitude - given
    remainders.sort { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 < $1.1 }
    var k = 0
    while left > 0 {
      shares[remainders[k].2] += 1
      left -= 1
      k += 1
    }
    return totalFen < 0 ? shares.map { -$0 } : shares
  }
}

/// 结余留用 / 超支分担 by bands (DOMAIN.md §3.5; DIP3 pp.83–84; seed 004 "结余共享、超支分担").
///
/// The difference between the payable amount and the audited 按项目 amount is cut into bands by its rate of the 按项目
/// amount, and each band's part gets the band's share (like tax brackets; a one-band table applies one share to
/// all). Each band's part and its share are rounded to the fen once.
public enum Surplus {
  /// The signed effect on the hospital's payment: ≤ 0 for a surplus (the part not kept), ≥ 0 for an overspend (the
  /// part the fund bears). DOMAIN.md §9.5: 记账 10,000,000, payable 10,800,000, "60% kept" → −320,000.
  public static func adjustment(payableFen: Int64, ffsFen: Int64, surplus: [Band], overspend: [Band]) -> Int64 {
    guard ffsFen > 0, payableFen != ffsFen else { return 0 }
    if payableFen > ffsFen {
      let kept = banded(payableFen - ffsFen, base: ffsFen, surplus)
      return kept - (payableFen - ffsFen)
    }
    return banded(ffsFen - payableFen, base: ffsFen, overspend)
  }

  /// Σ over bands of (the part of `diff` inside the band) × share.
  static func banded(_ diff: Int64, base: Int64, _ bands: [Band]) -> Int64 {
    var lower: Int64 = 0
    var total: Int64 = 0
    for b in bands {
      let upper = b.upto.map { min(diff, Fixed.mulDiv(base, $0.raw, Fixed.pow10($0.scale))) } ?? diff
      if upper > lower {
        total += Fixed.mulDiv(upper - lower, b.share.raw, Fixed.pow10(b.share.scale))
        lower = upper
      }
      if lower >= diff { break }
    }
    return total
  }
}
