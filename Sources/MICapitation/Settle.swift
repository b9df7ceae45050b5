import MIClearing
import MICore

/// One institution's line of the year-end clearing (seed 002 三(四)6).
public struct CapitationLine: Sendable, Equatable {
  /// `fixmedins_code`.
  public var code: String
  /// F_i, fen.
  public var fundFen: Int64
  /// w_i = F_i / F at scale 6 (reported; the money is computed from F_i and F exactly).
  public var weightRaw: Int64
  /// P_i = P × w_i at scale 4 (reported).
  public var pointsRaw: Int64
  /// P_i × v = w_i × T, fen, allocated by largest remainder so that the institutions' amounts sum to T.
  public var pointsFen: Int64
  /// S_i, fen.
  public var specialFen: Int64
  /// P_i × v + S_i, fen.
  public var payoutFen: Int64
  /// 月度预拨金额 for the year, fen.
  public var prepaidFen: Int64
  /// 审核扣款 (`deduction` adjustments), fen.
  public var auditDeductionFen: Int64
  /// 考核扣款 (`assessment` adjustments), fen.
  public var assessmentDeductionFen: Int64
  /// Settlement rows.
  public var settlements: Int

  /// 不合规费用 = 审核扣款 + 考核扣款, fen.
  public var deductionFen: Int64 { auditDeductionFen + assessmentDeductionFen }
  /// 定点医疗机构年度清算基金 = P_i × v + S_i − 月度预拨 − 不合规费用, fen (seed 002).
  public var clearingFen: Int64 { payoutFen - prepaidFen - deductionFen }
}

/// One pool's year-end clearing: the pool's figures and its institutions' lines.
public struct CapitationClearing: Sendable, Equatable {
  /// The pool.
  public var pool: CapitationPool
  /// B, fen.
  public var budgetFen: Int64
  /// 调整额, fen.
  public var adjustmentFen: Int64
  /// R, fen.
  public var remoteFen: Int64
  /// Whether R came from the params (`remote`) rather than the data.
  public var remoteGiven: Bool
  /// S = Σ S_i, fen.
  public var specialFen: Int64
  /// A: the 按项目 fund total the sharing is measured on, fen.
  public var ffsFen: Int64
  /// F_local = Σ F_i, fen.
  public var localFundFen: Int64
  /// The weight denominator F (F_local, or F_local + R with `weight_includes_remote`), fen.
  public var weightBaseFen: Int64
  /// The fund's part of |A − B| (r or 1 − r by `share_party`), scale 4.
  public var fundShare: Fixed
  /// X with its sign, fen.
  public var shareFen: Int64
  /// T, fen.
  public var totalFen: Int64
  /// The part of T the pool's institutions share (T, or T × F_local / F with `weight_includes_remote`), fen.
  public var allocatedFen: Int64
  /// N.
  public var persons: Int64
  /// Whether N came from the params (`persons`) rather than counted.
  public var personsGiven: Bool
  /// P = N × points_per_person.
  public var points: Int64
  /// v = T / P in yuan per point at scale 6, rounded half up (reported: payouts do not depend on it).
  public var pointValueRaw: Int64
  /// The institutions, by code.
  public var institutions: [CapitationLine]

  /// Σ payouts, fen.
  public var payoutFen: Int64 { institutions.reduce(0) { $0 + $1.payoutFen } }
  /// The identity the clearing must meet: Σ (P_i × v + S_i) = allocated T + S (= T + S).
  public var checkPassed: Bool { payoutFen == allocatedFen + specialFen }
  /// T − allocated: the remote share kept by the fund with `weight_includes_remote`, else 0.
  public var unallocatedFen: Int64 { totalFen - allocatedFen }
}

/// Money an institution owes or is owed outside the formula, by pool and code.
public struct Deductions: Sendable, Equatable {
  /// 审核扣款 by pool, then code.
  public var audit: [String: [String: Int64]] = [:]
  /// 考核扣款 by pool, then code.
  public var assessment: [String: [String: Int64]] = [:]
  /// Adjustments of types capitation does not use (vbp_return, special_case, turnover_fund).
  public var notApplicable = 0
  /// Adjustments used.
  public var used = 0

  /// Creates empty deductions.
  public init() {}
}

/// The year-end clearing of seed 002 三(四), exactly (DOMAIN.md §4):
///
/// ```
/// T = B ± 调整额 − R − S ± X          X = |A − B| × r (取绝对值; sign and party by the params)
/// P = N × 100                         w_i = F_i / F          P_i = P × w_i          v = T / P
/// clearing_i = P_i × v + S_i − 月度预拨_i − (审核扣款_i + 考核扣款_i)
/// ```
///
/// Since `P_i × v = w_i × T` (N cancels), the money is computed as `T × F_i / F` in 128-bit integers and the fen
/// are allocated by the largest-remainder rule: each institution gets the floor of its exact share, and the fen
/// left over go one each to the largest remainders, ties to the smaller `fixmedins_code`. Σ P_i × v = T exactly.
public enum Capitation {
  /// Clears one pool. `prepaid` and the deductions are by institution code; an institution found only there is
  /// added with no settlements (its prepayments are recovered). Errors (`MIError.data`) when the identity cannot
  /// hold: no persons or no fund spending to weight a nonzero total.
  public static func settle(
    pool: CapitationPool, params: CapitationParams, totals: PoolTotals, persons: Int64,
    prepaid: [String: Int64] = [:], auditDeductions: [String: Int64] = [:],
    assessmentDeductions: [String: Int64] = [:]
  ) throws(MIError) -> CapitationClearing {
    let special = totals.institutions.values.reduce(Int64(0)) { $0 + $1.specialFen }
    let local = totals.institutions.values.reduce(Int64(0)) { $0 + $1.fundFen }
    let remote = pool.remoteGivenFen ?? totals.remoteFen
    // A: "參保人門診按項目付費報銷的醫保基金總額" (DOMAIN.md §4 ambiguity 3; §9.6 reads A = F + R + S).
    let ffs = local + (params.ffsIncludesSpecial ? special : 0) + (params.ffsIncludesRemote ? remote : 0)
    let one = Fixed(raw: 10000, scale: 4)
    let fundShare = (pool.shareParty ?? params.shareParty) == .fund ? pool.shareRatio : one - pool.shareRatio
    let diff = ffs - pool.budgetFen
    // X = |A − B| × 比例 ("計算結果取絕對值"), rounded half up to the fen.
    let x = Fixed.mulDiv(abs(diff), fundShare.raw, 10000)
    let positive = params.shareSign == .byDifference ? diff >= 0 : diff < 0
    let signedX = positive ? x : -x
    let total = pool.budgetFen + pool.adjustmentFen - remote - special + signedX
    let n = pool.personsGiven ?? persons
    let points = n * pool.pointsPerPerson
    let weightBase = local + (params.weightIncludesRemote ? remote : 0)
    guard points > 0 else {
      throw MIError.data(
        file: "-", line: 0, field: nil,
        message: "pool \(pool.name): no persons with an in-scope settlement, so no points (P = N × "
          + "\(pool.pointsPerPerson) = 0); check the year, the pool's admdvs, or remove the pool from the params")
    }
    guard local > 0 || total == 0 else {
      throw MIError.data(
        file: "-", line: 0, field: nil,
        message: "pool \(pool.name): the institutions' fund total F is \(Money.format(local)), so the clearing "
          + "total \(Money.format(total)) has no weights to be shared by")
    }
    let allocated = weightBase == local ? total : roundedShare(total, local, weightBase)
    let pointValue = Fixed.mulDiv(total, 10000, points)  // fen/point × 10⁴ = yuan/point at scale 6

    var codes = Set(totals.institutions.keys)
    codes.formUnion(prepaid.keys)
    codes.formUnion(auditDeductions.keys)
    codes.formUnion(assessmentDeductions.keys)
    let sorted = codes.sorted()
    let funds = sorted.map { totals.institutions[$0]?.fundFen ?? 0 }
    let shares = local > 0 ? allocate(allocated, weights: funds) : funds.map { _ in Int64(0) }
    var lines: [CapitationLine] = []
    lines.reserveCapacity(sorted.count)
    for (k, code) in sorted.enumerated() {
      let t = totals.institutions[code] ?? InstitutionTotals()
      let w = weightBase > 0 ? roundedShare(1_000_000, t.fundFen, weightBase) : 0
      let p = weightBase > 0 ? roundedShare(points * 10000, t.fundFen, weightBase) : 0
      lines.append(
        CapitationLine(
          code: code, fundFen: t.fundFen, weightRaw: w, pointsRaw: p, pointsFen: shares[k], specialFen: t.specialFen,
          payoutFen: shares[k] + t.specialFen, prepaidFen: prepaid[code] ?? 0,
          auditDeductionFen: auditDeductions[code] ?? 0, assessmentDeductionFen: assessmentDeductions[code] ?? 0,
          settlements: t.settlements))
    }
    return CapitationClearing(
      pool: pool, budgetFen: pool.budgetFen, adjustmentFen: pool.adjustmentFen, remoteFen: remote,
      remoteGiven: pool.remoteGivenFen != nil, specialFen: special, ffsFen: ffs, localFundFen: local,
      weightBaseFen: weightBase, fundShare: fundShare, shareFen: signedX, totalFen: total, allocatedFen: allocated,
      persons: n, personsGiven: pool.personsGiven != nil, points: points, pointValueRaw: pointValue,
      institutions: lines)
  }

  /// `a × b / d` rounded half away from zero, in 128 bits (`d` > 0).
  public static func roundedShare(_ a: Int64, _ b: Int64, _ d: Int64) -> Int64 {
    let num = Int128(a) * Int128(b)
    let q = num / Int128(d)
    let r = num % Int128(d)
    let adjust: Int128 = r.magnitude * 2 >= UInt128(d) ? (num < 0 ? -1 : 1) : 0
    return Int64(q + adjust)
  }

  /// Allocates `total` fen over `weights` in proportion, exactly: floors of the exact shares, then one fen each to
  /// the largest remainders (ties to the lower index, which is the lower code since callers pass codes sorted).
  /// Weights may be negative (an institution whose refunds exceed its settlements); their sum must be positive.
  public static func allocate(_ total: Int64, weights: [Int64]) -> [Int64] {
    let sum = weights.reduce(Int128(0)) { $0 + Int128($1) }
    precondition(sum > 0, "allocate needs a positive weight sum")
    var floors = [Int64](repeating: 0, count: weights.count)
    var rems = [Int128](repeating: 0, count: weights.count)
    var given = Int128(0)
    for (i, w) in weights.enumerated() {
      let num = Int128(total) * Int128(w)
      var q = num / sum
      var r = num % sum
      if r < 0 {  // floor division
        q -= 1
        r += sum
      }
      floors[i] = Int64(q)
      rems[i] = r
      given += q
    }
    var left = Int(Int128(total) - given)  // 0 ≤ left < count
    if left > 0 {
      let order = rems.indices.sorted { rems[$0] != rems[$1] ? rems[$0] > rems[$1] : $0 < $1 }
      for i in order where left > 0 {
        floors[i] += 1
        left -= 1
      }
    }
    return floors
  }

  /// Sorts capitation's adjustments into deductions by pool and institution (`deduction` 审核扣款, `assessment`
  /// 考核扣款; other types do not concern capitation and are counted). An adjustment without a pool goes to the
  /// institution's pool with the largest F_i (ties to the smaller pool name).
  public static func deductions(_ adjustments: [Adjustment], totals: [String: PoolTotals]) throws(MIError) -> Deductions
  {
    var d = Deductions()
    for a in adjustments {
      guard a.type == .deduction || a.type == .assessment else {
        d.notApplicable += 1
        continue
      }
      // An institution with no settlement in any pool would get a phantom clearing record of a negative amount.
      guard totals.values.contains(where: { $0.institutions[a.fixmedinsCode] != nil }) else {
        throw MIError.data(
          file: a.file, line: a.line, field: "fixmedins_code",
          message: "\(a.fixmedinsCode) has no settlement in any capitation pool this year")
      }
      let pool: String
      if let p = a.pool {
        guard totals[p] != nil else {
          throw MIError.data(
            file: a.file, line: a.line, field: "pool",
            message:
              "\"\(p)\" is not a capitation pool (expected one of \(totals.keys.sorted().joined(separator: ", ")))")
        }
        pool = p
      } else {
        let candidates = totals.keys.sorted().compactMap { p in
          totals[p]!.institutions[a.fixmedinsCode].map { (p, $0.fundFen) }
        }
        guard let best = candidates.max(by: { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 > $1.0 }) else {
          throw MIError.data(
            file: a.file, line: a.line, field: "fixmedins_code",
            message: "\(a.fixmedinsCode) has no settlement in any capitation pool; give the adjustment a pool")
        }
        pool = best.0
      }
      if a.type == .deduction {
        d.audit[pool, default: [:]][a.fixmedinsCode, default: 0] += a.amountFen
      } else {
        d.assessment[pool, default: [:]][a.fixmedinsCode, default: 0] += a.amountFen
      }
      d.used += 1
    }
    return d
  }
}
