import MICore

/// The records mi-clear writes, in a fixed key order (SCHEMA.md "Produced records").
public enum ClearingRecords {
  /// The amounts of a hospital's clearing steps after its coefficient, in the order of its record (SCHEMA.md): from
  /// the assessed amount to the clearing amount (DOMAIN.md §3.4).
  static var stepAmounts: [(StaticString, KeyPath<ClearingLine, Int64>)] {
    [
      ("assessed_amt", \.assessedAmt), ("carve_out_amt", \.carveOutAmt), ("special_case_amt", \.specialCaseAmt),
      ("vbp_return_amt", \.vbpReturnAmt), ("ffs_amt", \.ffsAmt), ("surplus_adj_amt", \.surplusAdjAmt),
      ("deduction_amt", \.deductionAmt), ("assessment_deduction_amt", \.assessmentDeductionAmt),
      ("payable_amt", \.payableAmt), ("prepaid_amt", \.prepaidAmt), ("turnover_fund_amt", \.turnoverFundAmt),
      ("deposit_amt", \.depositAmt), ("deposit_return_amt", \.depositReturnAmt), ("clearing_amt", \.clearingAmt),
    ]
  }

  /// The `kind: "clearing"` records of a pool followed by its `kind: "pool"` record.
  public static func write(_ pc: PoolSettlement, period: String, params name: String, into out: inout [UInt8]) {
    let steps = stepAmounts
    for h in pc.lines {
      var w = JSONWriter()
      writeHead(
        &w, kind: "clearing", pool: pc.pool, code: h.key.code, period: period, params: name, totals: h.totals,
        pointValue: pc.pointValue, pointsAmt: h.pointsAmt, into: &out)
      w.fen("fund_part_amt", h.fundPartAmt, &out)
      w.fixed("assessment_coef", h.coef.rescaled(to: 4).raw, scale: 4, &out)
      for (name, path) in steps { w.fen(name, h[keyPath: path], &out) }
      w.fixed("settle_ratio", h.settleRatio?.raw, scale: 4, &out)
      w.end(&out)
    }
    var w = JSONWriter()
    w.begin(&out)
    w.string("kind", "pool", &out)
    w.string("pool", pc.pool, &out)
    w.string("period", period, &out)
    w.string("params", name, &out)
    w.string("point_mode", pc.mode.rawValue, &out)
    w.int("hospitals", Int64(pc.lines.count), &out)
    w.int("cases", pc.cases, &out)
    w.int("special_cases", pc.specialCases, &out)
    w.fixed("points", pc.pointsRaw, scale: 4, &out)
    w.fen("budget_amt", pc.budgetAmt, &out)
    w.fen("carve_out_amt", pc.sum(\.carveOutAmt), &out)
    w.fen("special_case_amt", pc.sum(\.specialCaseAmt), &out)
    w.fen("points_budget_amt", pc.pointsBudgetAmt, &out)
    w.fen("medfee_sumamt", pc.medfeeFen, &out)
    w.fen("hifp_pay", pc.hifpFen, &out)
    w.fixed("pay_ratio", pc.payRatio?.rescaled(to: 6).raw, scale: 6, &out)
    w.string("pay_ratio_source", pc.payRatioSource, &out)
    w.fen("total_cost_amt", pc.totalCostAmt, &out)
    w.fixed("initial_point_value", pc.initialPointValue?.rescaled(to: 6).raw, scale: 6, &out)
    w.string("initial_point_value_source", pc.initialPointValue == nil ? nil : pc.initialSource, &out)
    w.fixed("point_value", pc.pointValue?.rescaled(to: 6).raw, scale: 6, &out)
    if let e = pc.elastic {
      w.fixed("base_points", e.basePointsRaw, scale: 4, &out)
      w.fixed("increment_points", e.incrementPointsRaw, scale: 4, &out)
      w.fixed("increment_point_value", e.incrementValue?.raw, scale: 6, &out)
      w.bool("increment_capped", e.capped, &out)
    }
    w.fixed("index_point_value", pc.indexPointValue?.raw, scale: 6, &out)
    if let o = pc.optimal {
      w.fixed("index_point_value_optimal", o.value.raw, scale: 6, &out)
      w.int("optimal_hospitals", Int64(o.hospitals), &out)
    }
    if let t = pc.trimmed {
      w.fixed("index_point_value_trimmed", t.value.raw, scale: 6, &out)
      w.int("trimmed_cases", Int64(t.dropped), &out)
    }
    w.fen("points_amt", pc.pointsAmt, &out)
    w.fen("fund_part_amt", pc.fundPartAmt, &out)
    w.fen("budget_diff_amt", pc.budgetDiffAmt, &out)
    w.fen("assessed_amt", pc.sum(\.assessedAmt), &out)
    w.fen("vbp_return_amt", pc.sum(\.vbpReturnAmt), &out)
    w.fen("ffs_amt", pc.sum(\.ffsAmt), &out)
    w.fen("surplus_adj_amt", pc.sum(\.surplusAdjAmt), &out)
    w.fen("deduction_amt", pc.sum(\.deductionAmt), &out)
    w.fen("assessment_deduction_amt", pc.sum(\.assessmentDeductionAmt), &out)
    w.fen("payable_amt", pc.sum(\.payableAmt), &out)
    w.fen("prepaid_amt", pc.sum(\.prepaidAmt), &out)
    w.fen("turnover_fund_amt", pc.sum(\.turnoverFundAmt), &out)
    w.fen("deposit_amt", pc.sum(\.depositAmt), &out)
    w.fen("deposit_return_amt", pc.sum(\.depositReturnAmt), &out)
    w.fen("clearing_amt", pc.sum(\.clearingAmt), &out)
    let ffs = pc.sum(\.ffsAmt)
    w.fixed("settle_ratio", ffs > 0 ? Fixed.mulDiv(pc.sum(\.paymentForRatio), 10_000, ffs) : nil, scale: 4, &out)
    checks(pc.checks, &w, &out)
    w.end(&out)
  }

  /// The `kind: "prepayment"` records of a pool followed by its `kind: "pool"` record.
  public static func write(
    _ pp: PoolPrepayment, period: String, params name: String, ratio: Fixed, deposit: Fixed, into out: inout [UInt8]
  ) {
    for h in pp.lines {
      var w = JSONWriter()
      writeHead(
        &w, kind: "prepayment", pool: pp.pool, code: h.key.code, period: period, params: name, totals: h.totals,
        pointValue: pp.pointValue, pointsAmt: h.pointsAmt, into: &out)
      w.fen("psn_part_amt", h.totals.psnPartFen, &out)
      w.fen("month_fund_amt", h.monthFundAmt, &out)
      w.fixed("prepay_ratio", ratio.rescaled(to: 4).raw, scale: 4, &out)
      w.fen("deduction_amt", h.deductionAmt, &out)
      w.fen("prepaid_amt", h.prepaidAmt, &out)
      w.fixed("quality_deposit", deposit.rescaled(to: 4).raw, scale: 4, &out)
      w.fen("deposit_amt", h.depositAmt, &out)
      w.fen("turnover_fund_amt", h.turnoverFundAmt, &out)
      w.fen("pay_amt", h.payAmt, &out)
      w.end(&out)
    }
    var w = JSONWriter()
    w.begin(&out)
    w.string("kind", "pool", &out)
    w.string("pool", pp.pool, &out)
    w.string("period", period, &out)
    w.string("params", name, &out)
    w.int("hospitals", Int64(pp.lines.count), &out)
    w.int("cases", pp.cases, &out)
    w.int("special_cases", pp.specialCases, &out)
    w.fixed("points", pp.pointsRaw, scale: 4, &out)
    w.fixed("point_value", pp.pointValue?.rescaled(to: 6).raw, scale: 6, &out)
    w.fen("points_amt", pp.pointsAmt, &out)
    w.fen("month_fund_amt", pp.sum(\.monthFundAmt), &out)
    w.fen("deduction_amt", pp.sum(\.deductionAmt), &out)
    w.fen("prepaid_amt", pp.sum(\.prepaidAmt), &out)
    w.fen("deposit_amt", pp.sum(\.depositAmt), &out)
    w.fen("turnover_fund_amt", pp.sum(\.turnoverFundAmt), &out)
    w.fen("pay_amt", pp.sum(\.payAmt), &out)
    checks(pp.checks, &w, &out)
    w.end(&out)
  }

  /// `check` ("pass" or "fail") and `checks`: each identity with both sides, for the reader to see.
  static func checks(_ list: [(String, Int64, Int64)], _ w: inout JSONWriter, _ out: inout [UInt8]) {
    w.string("check", list.allSatisfy { $0.1 == $0.2 } ? "pass" : "fail", &out)
    w.strings("checks", list.map { "\($0.0): \(Money.format($0.1)) = \(Money.format($0.2))" }, &out)
  }

  /// The ledger lines of a settlement: payable, deposit returned and clearing amount per pool and hospital.
  public static func ledgerLines(_ pools: [PoolSettlement]) -> [LedgerLine] {
    var out: [LedgerLine] = []
    for p in pools {
      for l in p.lines {
        out.append(LedgerLine(pool: p.pool, fixmedinsCode: l.key.code, item: "payable_amt", amountFen: l.payableAmt))
        out.append(
          LedgerLine(pool: p.pool, fixmedinsCode: l.key.code, item: "deposit_return_amt", amountFen: l.depositReturnAmt)
        )
        out.append(LedgerLine(pool: p.pool, fixmedinsCode: l.key.code, item: "clearing_amt", amountFen: l.clearingAmt))
      }
    }
    return out
  }

  /// The members a hospital's clearing and prepayment records share, in their fixed order.
  static func writeHead(
    _ w: inout JSONWriter, kind: String, pool: String, code: String, period: String, params: String,
    totals: HospitalTotals, pointValue: Fixed?, pointsAmt: Int64, into out: inout [UInt8]
  ) {
    w.begin(&out)
    w.string("kind", kind, &out)
    w.string("pool", pool, &out)
    w.string("fixmedins_code", code, &out)
    w.string("period", period, &out)
    w.string("params", params, &out)
    w.int("cases", totals.cases, &out)
    w.int("special_cases", totals.specialCases, &out)
    w.fixed("points", totals.pointsRaw, scale: 4, &out)
    w.fixed("point_value", pointValue?.rescaled(to: 6).raw, scale: 6, &out)
    w.fen("points_amt", pointsAmt, &out)
  }
}
