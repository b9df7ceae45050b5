import MICore

extension Capitation {
  /// The year's prepayments by pool, then institution: the effective `mi-capita prepay` postings of its months.
  public static func ledgerPrepaid(_ ws: Workspace, year: String) throws(MIError) -> [String: [String: Int64]] {
    var ledger: [String: [String: Int64]] = [:]
    for l in try ws.effectiveLines(tool: "mi-capita", kind: "prepay", periodPrefix: year + "-") where l.item == "prepay"
    {
      ledger[l.pool, default: [:]][l.fixmedinsCode, default: 0] += l.amountFen
    }
    return ledger
  }

  /// Clears every pool of `params`, in their order. `prepaid` gives the prepayments by pool, then institution;
  /// `nil` recomputes them month by month from the totals (a year not prepaid through the ledger).
  public static func settleYear(
    params: CapitationParams, totals: [String: PoolTotals], prepaid: [String: [String: Int64]]?,
    deductions: Deductions
  ) throws(MIError) -> [CapitationClearing] {
    var results: [CapitationClearing] = []
    for name in params.poolNames {
      let pool = params.pools[name]!
      let t = totals[name]!
      let pre = prepaid.map { $0[name] ?? [:] } ?? computedPrepaid(pool: pool, totals: t)
      results.append(
        try settle(
          pool: pool, params: params, totals: t, persons: t.persons, prepaid: pre,
          auditDeductions: deductions.audit[name] ?? [:], assessmentDeductions: deductions.assessment[name] ?? [:]))
    }
    return results
  }

  /// The summary items of a year-end clearing: adjustments used and not for capitation, each pool's point value
  /// and check.
  public static func settleSummary(_ results: [CapitationClearing], deductions: Deductions) -> [String] {
    var extra = ["adjustments \(deductions.used)"]
    if deductions.notApplicable > 0 { extra.append("adjustments not for capitation \(deductions.notApplicable)") }
    for c in results {
      extra.append(
        "pool \(c.pool.name): v \(Fixed(raw: c.pointValueRaw, scale: 6)) check \(c.checkPassed ? "pass" : "fail")")
    }
    return extra
  }
}

extension Capitation {
  /// Every pool's prepayment for `month` (1–12), in the params' pool order.
  public static func prepayMonth(params: CapitationParams, totals: [String: PoolTotals], month: Int)
    -> [CapitationPrepay]
  {
    params.poolNames.map { prepay(pool: params.pools[$0]!, totals: totals[$0]!, month: month) }
  }

  /// The summary items of a month's prepayment, one per pool.
  public static func prepaySummary(_ pools: [CapitationPrepay]) -> [String] {
    pools.map { "pool \($0.pool.name): prepay \(Money.format($0.prepayFen))" }
  }
}
