import MICore

/// One hospital's year-end clearing in one pool: every step a named amount (the `kind: "clearing"` record).
public struct ClearingLine: Sendable, Equatable {
  /// Pool and hospital.
  public var key: PoolHospital
  /// The case totals behind it.
  public var totals: HospitalTotals
  /// 考核系数 (scale 4).
  public var coef: Fixed
  /// Points amount at the settlement point value (总费用口径), allocated by points.
  public var pointsAmt: Int64 = 0
  /// Fund part of the points amount (`ratio` or `residual`).
  public var fundPartAmt: Int64 = 0
  /// Fund part × 考核系数, rounded.
  public var assessedAmt: Int64 = 0
  /// 高值耗材 paid 按项目 (fund part).
  public var carveOutAmt: Int64 = 0
  /// 特例单议: special cases' `hifp_pay` plus `special_case` adjustments.
  public var specialCaseAmt: Int64 = 0
  /// 集采结余 returned: share × Σ `vbp_return` savings.
  public var vbpReturnAmt: Int64 = 0
  /// Audited 按项目 fund amount (Σ `hifp_pay` of all the hospital's cases).
  public var ffsAmt: Int64 = 0
  /// Signed 结余留用 (≤ 0) / 超支分担 (≥ 0) effect.
  public var surplusAdjAmt: Int64 = 0
  /// 审核扣款.
  public var deductionAmt: Int64 = 0
  /// 考核扣款.
  public var assessmentDeductionAmt: Int64 = 0
  /// 应支付总结算额 for the year.
  public var payableAmt: Int64 = 0
  /// Prepayments of the year (ledger).
  public var prepaidAmt: Int64 = 0
  /// 周转金 advanced (ledger and `turnover_fund` adjustments of the run), recovered now.
  public var turnoverFundAmt: Int64 = 0
  /// 质量保证金 withheld during the year (ledger).
  public var depositAmt: Int64 = 0
  /// The part of the deposit returned.
  public var depositReturnAmt: Int64 = 0
  /// 年度清算支付金额: payable − prepaid − turnover − deposit + deposit returned.
  public var clearingAmt: Int64 = 0
  /// 结算率 = (assessed + carve-out + special + surplus effect) ÷ 按项目 amount (scale 4), nil without 按项目 amount.
  public var settleRatio: Fixed?

  /// The DIP/DRG payment compared with the 按项目 amount for 结余/超支 and the 结算率 (before deductions and returns).
  public var paymentForRatio: Int64 { assessedAmt + carveOutAmt + specialCaseAmt + surplusAdjAmt }
}

/// One pool's clearing: how the point value was found, the hospitals, and the reconciliation (`kind: "pool"`).
public struct PoolSettlement: Sendable {
  /// The pool.
  public var pool: String
  /// The mode used.
  public var mode: PointMode
  /// The budget (fen), if any.
  public var budgetAmt: Int64?
  /// Budget left for the points after carve-outs and special cases (`budget_net_of_ffs`).
  public var pointsBudgetAmt: Int64?
  /// 医保支付比例 (scale 6, shown); `payRatioSource` says whether given or computed.
  public var payRatio: Fixed?
  /// `given` or `computed`.
  public var payRatioSource: String
  /// 年度预算住院总费用: points budget ÷ 医保支付比例.
  public var totalCostAmt: Int64?
  /// 年初点值 and its source.
  public var initialPointValue: Fixed?
  /// How the year-start value was found.
  public var initialSource: String
  /// 结算点值 (elastic: the blended value, shown).
  public var pointValue: Fixed?
  /// Elastic split, when elastic.
  public var elastic: PointValue.Elastic?
  /// 每指数点值 over all pointed cases.
  public var indexPointValue: Fixed?
  /// Trimmed 每指数点值 and cases dropped, with `point_trim` p2.5-p97.5.
  public var trimmed: (value: Fixed, dropped: Int)?
  /// 优值区间 (one-dimensional) 每指数点值 and the hospitals it covers, with `point_trim` optimal-1d.
  public var optimal: (value: Fixed, hospitals: Int)?
  /// Σ points (scale 4).
  public var pointsRaw: Int64 = 0
  /// Cases and special cases.
  public var cases: Int64 = 0
  /// 特例单议 cases.
  public var specialCases: Int64 = 0
  /// Σ medfee and hifp of pointed cases.
  public var medfeeFen: Int64 = 0
  /// Σ hifp_pay of the pointed cases.
  public var hifpFen: Int64 = 0
  /// The pool's points amount (allocated over hospitals).
  public var pointsAmt: Int64 = 0
  /// The pool's fund part (allocated over hospitals in ratio mode).
  public var fundPartAmt: Int64 = 0
  /// Points budget − fund part: what the fund keeps (rounding, fixed or capped values), nil without a budget.
  public var budgetDiffAmt: Int64?
  /// The hospitals, by code.
  public var lines: [ClearingLine] = []
  /// The identities checked, each with its two sides.
  public var checks: [(String, Int64, Int64)] = []

  /// Whether every identity holds.
  public var checkPassed: Bool { checks.allSatisfy { $0.1 == $0.2 } }

  /// Σ of a field over the hospitals.
  public func sum(_ f: (ClearingLine) -> Int64) -> Int64 { lines.reduce(0) { $0 + f($1) } }
}

/// The year-end clearing (DOMAIN.md §3.4–3.6; DIP3 pp.80–85).
public enum Settlement {
  /// Computes every pool's clearing. Nothing is written here: an input that would break an identity (points but no
  /// budget or no point value, a budget smaller than its carve-outs) throws first.
  ///
  /// - Parameters:
  ///   - totals: case totals per pool and hospital for the year.
  ///   - adjustments: the year's adjustments (already filtered by period).
  ///   - ledger: the effective prepayment lines of the year (`prepaid_amt`, `deposit_amt`, `turnover_fund_amt`).
  ///   - trimSamples: per pool (medfee, points) samples when `point_trim` is on.
  ///   - registry: the codes of the hospital registry (`--hospitals`), which may have adjustments without cases.
  public static func run(
    params: ClearingParams, totals: [PoolHospital: HospitalTotals], adjustments: [Adjustment], ledger: [LedgerLine],
    trimSamples: [String: [(Int64, Int64)]] = [:], registry: Set<String>? = nil
  ) throws(MIError) -> [PoolSettlement] {
    var lines: [PoolHospital: ClearingLine] = [:]
    /// The line of a pool and hospital, created with the hospital's coefficient.
    func line(_ k: PoolHospital) -> ClearingLine {
      lines[k] ?? ClearingLine(key: k, totals: totals[k] ?? HospitalTotals(), coef: params.coefficient(k.code))
    }
    for (k, _) in totals { lines[k] = line(k) }
    for l in ledger {
      let k = PoolHospital(l.pool, l.fixmedinsCode)
      var c = line(k)
      switch l.item {
      case "prepaid_amt": c.prepaidAmt += l.amountFen
      case "deposit_amt": c.depositAmt += l.amountFen
      case "turnover_fund_amt": c.turnoverFundAmt += l.amountFen
      default: break
      }
      lines[k] = c
    }
    var vbpSaving: [PoolHospital: Int64] = [:]
    // Adjustments without a pool go by the cases and the ledger only, so their order does not matter.
    let homes = homePools(Set(lines.keys), totals: totals)
    for a in adjustments {
      // A month's 周转金 was paid with that month's prepayment and is in the ledger; recovering it again from the
      // adjustments would count it twice.
      if a.type == .turnoverFund, let p = a.period, Period.isMonth(p) { continue }
      let k = PoolHospital(try poolOf(a, homes: homes, params: params, registry: registry), a.fixmedinsCode)
      var c = line(k)
      switch a.type {
      case .deduction: c.deductionAmt += a.amountFen
      case .assessment: c.assessmentDeductionAmt += a.amountFen
      case .vbpReturn: vbpSaving[k, default: 0] += a.amountFen
      case .specialCase: c.specialCaseAmt += a.amountFen
      case .turnoverFund: c.turnoverFundAmt += a.amountFen
      }
      lines[k] = c
    }
    var result: [PoolSettlement] = []
    let byPool = Dictionary(grouping: lines.values, by: { $0.key.pool })
    for pool in byPool.keys.sorted() {
      var hs = byPool[pool]!.sorted { $0.key.code < $1.key.code }
      for i in hs.indices {
        hs[i].carveOutAmt = hs[i].totals.carveOutFen
        hs[i].specialCaseAmt += hs[i].totals.specialFFSFen
        hs[i].ffsAmt = hs[i].totals.ffsFen
        if let s = vbpSaving[hs[i].key] {
          hs[i].vbpReturnAmt = Fixed.mulDiv(s, params.vbpReturnShare.raw, Fixed.pow10(params.vbpReturnShare.scale))
        }
      }
      guard let pp = params.pools[pool] else {
        throw MIError.reference(
          "pool \"\(pool)\" has ledger lines or adjustments but no [clearing.pools.\(pool)] in the params")
      }
      result.append(try clearPool(pp, hospitals: hs, params: params, samples: trimSamples[pool]))
    }
    return result
  }

  /// Each hospital's home pool: the one with the most points among `known` (ties: the smaller name).
  static func homePools(_ known: Set<PoolHospital>, totals: [PoolHospital: HospitalTotals]) -> [String: String] {
    var best: [String: (Int64, String)] = [:]
    for k in known {
      let points = totals[k]?.pointsRaw ?? 0
      if let b = best[k.code], b.0 > points || (b.0 == points && b.1 < k.pool) { continue }
      best[k.code] = (points, k.pool)
    }
    return best.mapValues(\.1)
  }

  /// The pool of an adjustment: its own, or else its hospital's home pool. A hospital with no cases in the run, no
  /// ledger lines and not in the registry (when one is given) is refused: its adjustment would make a phantom record.
  static func poolOf(
    _ a: Adjustment, homes: [String: String], params: ClearingParams, registry: Set<String>?
  ) throws(MIError) -> String {
    if homes[a.fixmedinsCode] == nil && registry?.contains(a.fixmedinsCode) != true {
      let registryText = registry == nil ? "no hospital registry given (--hospitals)" : "not in the hospital registry"
      throw MIError.data(
        file: a.file, line: a.line, field: "fixmedins_code",
        message: "hospital \(a.fixmedinsCode) has no cases or prepayments in this period and \(registryText)")
    }
    if let p = a.pool {
      guard params.pools[p] != nil else {
        throw MIError.data(
          file: a.file, line: a.line, field: "pool", message: "no clearing pool \"\(p)\" in the params")
      }
      return p
    }
    guard let home = homes[a.fixmedinsCode] else {
      throw MIError.data(
        file: a.file, line: a.line, field: "pool",
        message: "hospital \(a.fixmedinsCode) has no cases in this period: name the pool of the adjustment")
    }
    return home
  }

  /// One pool: point value, allocation, per-hospital steps, reconciliation.
  static func clearPool(
    _ pp: PoolParams, hospitals: [ClearingLine], params: ClearingParams, samples: [(Int64, Int64)]?
  ) throws(MIError) -> PoolSettlement {
    var hs = hospitals
    var pc = PoolSettlement(
      pool: pp.pool, mode: params.pointMode, budgetAmt: pp.budgetFen, payRatio: pp.payRatio,
      payRatioSource: pp.payRatio == nil ? "computed" : "given", initialPointValue: pp.initialPointValue,
      initialSource: pp.initialSource)
    for h in hs {
      pc.pointsRaw += h.totals.pointsRaw
      pc.cases += h.totals.cases
      pc.specialCases += h.totals.specialCases
      pc.medfeeFen += h.totals.medfeeFen
      pc.hifpFen += h.totals.hifpFen
    }
    let ffsPaid = hs.reduce(0) { $0 + $1.carveOutAmt + $1.specialCaseAmt }
    if pc.pointsRaw > 0 && pc.medfeeFen > 0 {
      pc.indexPointValue = PointValue.settlement(totalCostFen: pc.medfeeFen, pointsRaw: pc.pointsRaw)
    }
    if let samples { pc.trimmed = IndexPointValue.trimmed(samples) }
    if params.pointTrim == "optimal-1d" {
      pc.optimal = IndexPointValue.optimal(hs.map { ($0.totals.medfeeFen, $0.totals.pointsRaw) })
    }
    if pp.payRatio == nil && pc.medfeeFen > 0 {
      pc.payRatio = Fixed(raw: Fixed.mulDiv(pc.hifpFen, 1_000_000, pc.medfeeFen), scale: 6)
    }
    let where_ = "pool \(pp.pool)"
    if let budget = pp.budgetFen {
      pc.pointsBudgetAmt = params.budgetNetOfFFS ? budget - ffsPaid : budget
    }
    if pc.pointsRaw > 0 {
      if params.pointMode != .fixed {
        guard let pb = pc.pointsBudgetAmt else {
          throw MIError.reference(
            "\(where_): \(pc.pointsRaw / 10_000) points but no budget (clearing.pools.\(pp.pool).budget)")
        }
        guard pb > 0 else {
          throw MIError.reference(
            "\(where_): budget \(Money.format(pp.budgetFen!)) leaves nothing for the points after carve-outs and special cases of \(Money.format(ffsPaid))"
          )
        }
        guard pp.payRatio != nil || pc.hifpFen > 0 else {
          throw MIError.reference(
            "\(where_): cannot compute 医保支付比例 (Σ hifp_pay is 0); give clearing.pools.\(pp.pool).pay_ratio")
        }
        pc.totalCostAmt = PointValue.totalCost(
          budgetFen: pb, ratio: pp.payRatio, medfeeFen: pc.medfeeFen, fundFen: pc.hifpFen)
      }
      switch params.pointMode {
      case .fixed:
        guard let v = pp.initialPointValue else {
          throw MIError.reference("\(where_): points but no initial_point_value")
        }
        pc.pointValue = v
        pc.pointsAmt = PointValue.amount(pointsRaw: pc.pointsRaw, value: v)
      case .floating:
        // From the budget itself, rounded once (the total_cost_amt shown is rounded to the fen for reading only).
        guard
          let v = PointValue.floating(
            budgetFen: pc.pointsBudgetAmt!, ratio: pp.payRatio, medfeeFen: pc.medfeeFen, fundFen: pc.hifpFen,
            pointsRaw: pc.pointsRaw)
        else { throw MIError.reference("\(where_): the point value does not fit in 64 bits") }
        pc.pointValue = v
        pc.pointsAmt = PointValue.amount(pointsRaw: pc.pointsRaw, value: v)
      case .elastic:
        guard let v0 = pp.initialPointValue else {
          throw MIError.reference("\(where_): points but no initial_point_value")
        }
        let e = PointValue.elastic(
          totalCostFen: pc.totalCostAmt!, pointsRaw: pc.pointsRaw, initial: v0, baseShare: params.baseShare,
          cap: params.incrementCap)
        pc.elastic = e
        pc.pointsAmt = e.amountFen
        pc.pointValue = PointValue.settlement(totalCostFen: e.amountFen, pointsRaw: pc.pointsRaw)
      }
    }
    // Points amount over hospitals by points, to the fen.
    let codes = hs.map(\.key.code)
    let pointsShares = Allocation.largestRemainder(pc.pointsAmt, weights: hs.map(\.totals.pointsRaw), keys: codes)
    for i in hs.indices { hs[i].pointsAmt = pointsShares[i] }
    switch params.fundPart {
    case .ratio:
      if let r = pp.payRatio {
        pc.fundPartAmt = Fixed.mulDiv(pc.pointsAmt, r.raw, Fixed.pow10(r.scale))
      } else if pc.medfeeFen > 0 {
        pc.fundPartAmt = Fixed.mulDiv(pc.pointsAmt, pc.hifpFen, pc.medfeeFen)
      }
      let fundShares = Allocation.largestRemainder(pc.fundPartAmt, weights: hs.map(\.pointsAmt), keys: codes)
      for i in hs.indices { hs[i].fundPartAmt = fundShares[i] }
    case .residual:
      for i in hs.indices {
        hs[i].fundPartAmt = max(0, hs[i].pointsAmt - hs[i].totals.psnPartFen - hs[i].totals.otherFundFen)
      }
      pc.fundPartAmt = hs.reduce(0) { $0 + $1.fundPartAmt }
    }
    if let pb = pc.pointsBudgetAmt { pc.budgetDiffAmt = pb - pc.fundPartAmt }
    let one = Fixed(raw: 10000, scale: 4)
    for i in hs.indices {
      var h = hs[i]
      h.assessedAmt = Fixed.mulDiv(h.fundPartAmt, h.coef.raw, Fixed.pow10(h.coef.scale))
      // 结余/超支 compares the DIP/DRG payment before the assessment with the 按项目 amount (DOMAIN.md §3.5).
      h.surplusAdjAmt = Surplus.adjustment(
        payableFen: h.fundPartAmt + h.carveOutAmt + h.specialCaseAmt, ffsFen: h.ffsAmt,
        surplus: params.surplusBands, overspend: params.overspendBands)
      h.payableAmt =
        h.assessedAmt + h.carveOutAmt + h.specialCaseAmt + h.vbpReturnAmt + h.surplusAdjAmt - h.deductionAmt
        - h.assessmentDeductionAmt
      switch params.depositReturn {
      case .full: h.depositReturnAmt = h.depositAmt
      case .byAssessment:
        let c = min(h.coef, one)
        h.depositReturnAmt = Fixed.mulDiv(h.depositAmt, c.raw, Fixed.pow10(c.scale))
      }
      h.clearingAmt = h.payableAmt - h.prepaidAmt - h.turnoverFundAmt - h.depositAmt + h.depositReturnAmt
      if h.ffsAmt > 0 { h.settleRatio = Fixed(raw: Fixed.mulDiv(h.paymentForRatio, 10_000, h.ffsAmt), scale: 4) }
      hs[i] = h
    }
    pc.lines = hs
    pc.checks = reconcile(pc, params: params)
    guard pc.checkPassed else {
      let bad = pc.checks.filter { $0.1 != $0.2 }.map { "\($0.0): \(Money.format($0.1)) ≠ \(Money.format($0.2))" }
      throw MIError.reference("\(where_): reconciliation failed: \(bad.joined(separator: "; "))")
    }
    return pc
  }

  /// The identities a pool must satisfy, each as (name, left, right), computed from the hospitals' lines on one side
  /// and the pool's own totals on the other.
  static func reconcile(_ pc: PoolSettlement, params: ClearingParams) -> [(String, Int64, Int64)] {
    var c: [(String, Int64, Int64)] = []
    c.append(("Σ points_amt = pool points_amt", pc.sum(\.pointsAmt), pc.pointsAmt))
    c.append(("Σ fund_part_amt = pool fund_part_amt", pc.sum(\.fundPartAmt), pc.fundPartAmt))
    if let budget = pc.budgetAmt, let diff = pc.budgetDiffAmt {
      let ffs = params.budgetNetOfFFS ? pc.sum { $0.carveOutAmt + $0.specialCaseAmt } : 0
      c.append(("budget = fund_part + carve_out + special_case + budget_diff", budget, pc.fundPartAmt + ffs + diff))
    }
    let parts =
      pc.fundPartAmt
      + pc.sum {
        ($0.assessedAmt - $0.fundPartAmt) + $0.carveOutAmt + $0.specialCaseAmt + $0.vbpReturnAmt
          + $0.surplusAdjAmt - $0.deductionAmt - $0.assessmentDeductionAmt
      }
    c.append(
      (
        "Σ payable_amt = pool fund_part + Σ coefficient effect, carve-outs, returns, surplus, deductions",
        pc.sum(\.payableAmt), parts
      ))
    let settled =
      pc.sum(\.payableAmt) - pc.sum(\.prepaidAmt) - pc.sum(\.turnoverFundAmt) - pc.sum(\.depositAmt)
      + pc.sum(\.depositReturnAmt)
    c.append(
      ("Σ clearing_amt = Σ payable − prepaid − turnover − deposit + deposit_return", pc.sum(\.clearingAmt), settled))
    return c
  }
}
