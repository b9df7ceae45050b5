import MICore

/// One hospital's monthly prepayment in one pool (the `kind: "prepayment"` record).
public struct PrepaymentLine: Sendable, Equatable {
  /// Pool and hospital.
  public var key: PoolHospital
  /// The month's case totals.
  public var totals: HospitalTotals
  /// 月度总分值 × 年初点值, allocated by points.
  public var pointsAmt: Int64 = 0
  /// Points amount − 患者支付 (at least 0): the month's fund amount before the ratio.
  public var monthFundAmt: Int64 = 0
  /// 审核扣款 and 考核扣款 of the month.
  public var deductionAmt: Int64 = 0
  /// 医疗机构月度预结费用 = month fund × 预拨比例 − deductions (DOMAIN.md §3.3, §9.4).
  public var prepaidAmt: Int64 = 0
  /// 质量保证金 withheld: month fund × quality_deposit.
  public var depositAmt: Int64 = 0
  /// 周转金 paid with this month.
  public var turnoverFundAmt: Int64 = 0
  /// What the fund pays now: prepaid + turnover.
  public var payAmt: Int64 { prepaidAmt + turnoverFundAmt }
}

/// One pool's month: the year-start point value used and the reconciliation.
public struct PoolPrepayment: Sendable {
  /// The pool.
  public var pool: String
  /// 年初点值 used.
  public var pointValue: Fixed?
  /// Σ points (scale 4).
  public var pointsRaw: Int64 = 0
  /// Cases.
  public var cases: Int64 = 0
  /// Special cases (left for the year-end clearing).
  public var specialCases: Int64 = 0
  /// The pool's points amount.
  public var pointsAmt: Int64 = 0
  /// The hospitals, by code.
  public var lines: [PrepaymentLine] = []
  /// The identities checked.
  public var checks: [(String, Int64, Int64)] = []

  /// Σ of a field over the hospitals.
  public func sum(_ f: (PrepaymentLine) -> Int64) -> Int64 { lines.reduce(0) { $0 + f($1) } }
  /// Whether every identity holds.
  public var checkPassed: Bool { checks.allSatisfy { $0.1 == $0.2 } }
}

/// The monthly prepayment (DOMAIN.md §3.3; DIP3 pp.78–80; GC25 第二十五–二十六条).
public enum Prepayment {
  /// Computes every pool's month. Special cases and `vbp_return`/`special_case` adjustments wait for the year end.
  public static func run(
    params: ClearingParams, totals: [PoolHospital: HospitalTotals], adjustments: [Adjustment],
    registry: Set<String>? = nil
  ) throws(MIError) -> [PoolPrepayment] {
    var lines: [PoolHospital: PrepaymentLine] = [:]
    for (k, t) in totals { lines[k] = PrepaymentLine(key: k, totals: t) }
    let homes = Settlement.homePools(Set(lines.keys), totals: totals)
    for a in adjustments where a.type == .deduction || a.type == .assessment || a.type == .turnoverFund {
      let pool = try Settlement.poolOf(a, homes: homes, params: params, registry: registry)
      let k = PoolHospital(pool, a.fixmedinsCode)
      var l = lines[k] ?? PrepaymentLine(key: k, totals: HospitalTotals())
      if a.type == .turnoverFund { l.turnoverFundAmt += a.amountFen } else { l.deductionAmt += a.amountFen }
      lines[k] = l
    }
    var out: [PoolPrepayment] = []
    let byPool = Dictionary(grouping: lines.values, by: { $0.key.pool })
    for pool in byPool.keys.sorted() {
      var hs = byPool[pool]!.sorted { $0.key.code < $1.key.code }
      var pp = PoolPrepayment(pool: pool)
      for h in hs {
        pp.pointsRaw += h.totals.pointsRaw
        pp.cases += h.totals.cases
        pp.specialCases += h.totals.specialCases
      }
      pp.pointValue = params.pools[pool]?.initialPointValue
      if pp.pointsRaw > 0 {
        guard let v = pp.pointValue else {
          throw MIError.reference(
            "pool \(pool): points but no year-start point value (clearing.pools.\(pool).initial_point_value or history)"
          )
        }
        pp.pointsAmt = PointValue.amount(pointsRaw: pp.pointsRaw, value: v)
      }
      let shares = Allocation.largestRemainder(
        pp.pointsAmt, weights: hs.map(\.totals.pointsRaw), keys: hs.map(\.key.code))
      let ratio = params.monthlyRatio
      let deposit = params.qualityDeposit
      for i in hs.indices {
        hs[i].pointsAmt = shares[i]
        // (月度总分值 × 点值 − 患者支付) × 预拨比例 − 审核扣款 (DIP3 pp.78–80); a month whose patients paid more than
        // the points are worth prepays nothing rather than a negative amount.
        hs[i].monthFundAmt = max(0, shares[i] - hs[i].totals.psnPartFen)
        hs[i].prepaidAmt = Fixed.mulDiv(hs[i].monthFundAmt, ratio.raw, Fixed.pow10(ratio.scale)) - hs[i].deductionAmt
        hs[i].depositAmt = Fixed.mulDiv(hs[i].monthFundAmt, deposit.raw, Fixed.pow10(deposit.scale))
      }
      pp.lines = hs
      pp.checks = [
        ("Σ points_amt = pool points_amt", pp.sum(\.pointsAmt), pp.pointsAmt),
        ("Σ pay_amt = Σ prepaid + Σ turnover", pp.sum(\.payAmt), pp.sum(\.prepaidAmt) + pp.sum(\.turnoverFundAmt)),
      ]
      guard pp.checkPassed else { throw MIError.reference("pool \(pool): reconciliation failed") }
      out.append(pp)
    }
    return out
  }

  /// The ledger lines of a month: prepaid, deposit withheld and turnover fund per pool and hospital.
  public static func ledgerLines(_ pools: [PoolPrepayment]) -> [LedgerLine] {
    var out: [LedgerLine] = []
    for p in pools {
      for l in p.lines {
        out.append(LedgerLine(pool: p.pool, fixmedinsCode: l.key.code, item: "prepaid_amt", amountFen: l.prepaidAmt))
        out.append(LedgerLine(pool: p.pool, fixmedinsCode: l.key.code, item: "deposit_amt", amountFen: l.depositAmt))
        if l.turnoverFundAmt != 0 {
          out.append(
            LedgerLine(pool: p.pool, fixmedinsCode: l.key.code, item: "turnover_fund_amt", amountFen: l.turnoverFundAmt)
          )
        }
      }
    }
    return out
  }
}
