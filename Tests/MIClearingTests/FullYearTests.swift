import Foundation
import MICore
import MITestSupport
import Testing

@testable import MIClearing

/// A small year cleared by hand: three hospitals, two pools, every adjustment type, a special case, a carve-out,
/// both band tables, both deposit rules, the ledger's prepayments. Every expected figure is derived in the comments.
@Suite struct FullYearTests {
  /// The params of the year.
  static func params() -> ClearingParams {
    var p = ClearingParams()
    p.pointMode = .floating
    p.fundPart = .ratio
    p.carveOutHV = true
    p.budgetNetOfFFS = true
    p.vbpReturnShare = fx("0.5", 4)
    p.depositReturn = .byAssessment
    p.assessmentCoef = ["H2": fx("0.90", 4)]
    p.surplusBands = [Band(upto: fx("0.10", 4), share: fx("1", 4)), Band(upto: nil, share: fx("0.6", 4))]
    p.overspendBands = [Band(upto: fx("0.10", 4), share: fx("0.5", 4)), Band(upto: nil, share: fx("0", 4))]
    // 310: ratio given 0.8. Budget 43,800 = points budget 40,000 + carve-out 800 + special 3,000 (below).
    p.pools["310"] = PoolParams(
      pool: "310", budgetFen: fen("43800"), initialPointValue: fx("9", 6), payRatio: fx("0.8", 6))
    // 390: ratio computed from the cases. Budget 25,300 = points budget 24,000 + special 1,300.
    p.pools["390"] = PoolParams(pool: "390", budgetFen: fen("25300"), initialPointValue: fx("11", 6))
    return p
  }

  /// The cases (scored): one of 2023 is outside the year and skipped.
  static let cases = [
    // H1 310: points 1000 + 1500; medfee 25,000; hifp 20,000; hv 1,000 in a case with hifp/medfee 12,000/15,000
    // → carve-out fund part 1,000 × 12,000 / 15,000 = 800.
    #"{"setl_id":"1","fixmedins_code":"H1","insutype":"310","setl_time":"2024-02-01 10:00:00","points":1000,"case_class":"normal","medfee_sumamt":10000.00,"hifp_pay":8000.00,"psn_part_amt":2000.00}"#,
    #"{"setl_id":"2","fixmedins_code":"H1","insutype":"310","setl_time":"2024-05-01 10:00:00","points":"1500.0000","case_class":"high","medfee_sumamt":15000.00,"hifp_pay":12000.00,"psn_part_amt":3000.00,"hv_mcs_amt":1000.00}"#,
    // H2 310: points 2500, medfee 32,500, hifp 26,000; and a special case (特例单议) paid its hifp 3,000 按项目.
    #"{"setl_id":"3","fixmedins_code":"H2","insutype":"310","setl_time":"2024-07-01 10:00:00","points":2500,"medfee_sumamt":32500.00,"hifp_pay":26000.00,"psn_part_amt":6500.00}"#,
    #"{"setl_id":"4","fixmedins_code":"H2","insutype":"310","setl_time":"2024-08-01 10:00:00","points":9999,"case_class":"special","medfee_sumamt":4000.00,"hifp_pay":3000.00,"psn_part_amt":1000.00}"#,
    // H1 390: points 1200, medfee 12,000, hifp 6,000.
    #"{"setl_id":"5","fixmedins_code":"H1","insutype":"390","setl_time":"2024-03-01 10:00:00","points":1200,"medfee_sumamt":12000.00,"hifp_pay":6000.00,"psn_part_amt":6000.00}"#,
    // H3 390: points 1800 + 1000, medfee 28,000, hifp 14,000.
    #"{"setl_id":"6","fixmedins_code":"H3","insutype":"390","setl_time":"2024-04-01 10:00:00","points":1800,"medfee_sumamt":18000.00,"hifp_pay":9000.00,"psn_part_amt":9000.00}"#,
    #"{"setl_id":"7","fixmedins_code":"H3","insutype":"390","setl_time":"2024-12-31 23:59:59","points":1000,"medfee_sumamt":10000.00,"hifp_pay":5000.00,"psn_part_amt":5000.00}"#,
    #"{"setl_id":"8","fixmedins_code":"H3","insutype":"390","setl_time":"2023-12-31 23:59:59","points":7777,"medfee_sumamt":1.00,"hifp_pay":1.00,"psn_part_amt":0.00}"#,
  ]

  /// One adjustment of every type, and one of another year (ignored by the filter).
  static let adjustments = [
    // No pool: H1's pool with the most points is 310 (2,500 against 1,200).
    Adjustment(fixmedinsCode: "H1", period: "2024-03", amountFen: fen("300"), type: .deduction),
    Adjustment(fixmedinsCode: "H2", period: "2024", amountFen: fen("200"), type: .assessment),
    Adjustment(fixmedinsCode: "H1", pool: "310", amountFen: fen("1000"), type: .vbpReturn),
    Adjustment(fixmedinsCode: "H3", pool: "390", amountFen: fen("1300"), type: .specialCase),
    Adjustment(fixmedinsCode: "H3", pool: "390", amountFen: fen("500"), type: .turnoverFund),
    Adjustment(fixmedinsCode: "H3", pool: "390", period: "2023", amountFen: fen("99999"), type: .deduction),
    // H1's January 周转金, paid with January's prepayment: the ledger holds it, so settle does not count it again.
    Adjustment(fixmedinsCode: "H1", pool: "310", period: "2024-01", amountFen: fen("2000"), type: .turnoverFund),
  ]

  /// The prepayments posted during the year.
  static let ledger = [
    LedgerLine(pool: "310", fixmedinsCode: "H1", item: "prepaid_amt", amountFen: fen("10000")),
    LedgerLine(pool: "310", fixmedinsCode: "H1", item: "prepaid_amt", amountFen: fen("5000")),
    LedgerLine(pool: "310", fixmedinsCode: "H1", item: "deposit_amt", amountFen: fen("600")),
    LedgerLine(pool: "310", fixmedinsCode: "H1", item: "turnover_fund_amt", amountFen: fen("2000")),
    LedgerLine(pool: "310", fixmedinsCode: "H2", item: "prepaid_amt", amountFen: fen("20000")),
    LedgerLine(pool: "310", fixmedinsCode: "H2", item: "deposit_amt", amountFen: fen("1000")),
    LedgerLine(pool: "390", fixmedinsCode: "H1", item: "prepaid_amt", amountFen: fen("5000")),
    LedgerLine(pool: "390", fixmedinsCode: "H1", item: "deposit_amt", amountFen: fen("250")),
    LedgerLine(pool: "390", fixmedinsCode: "H3", item: "prepaid_amt", amountFen: fen("12000")),
    LedgerLine(pool: "390", fixmedinsCode: "H3", item: "deposit_amt", amountFen: fen("600")),
  ]

  /// Aggregates the cases of `period`.
  static func aggregate(_ p: ClearingParams, period: String) throws -> CaseAggregator {
    let agg = CaseAggregator(params: p, paramsName: "test", period: period)
    for c in cases { _ = try TestSupport.withRecord(c) { s in try agg.add(s) } }
    return agg
  }

  @Test func settleByHand() throws {
    let p = FullYearTests.params()
    let agg = try FullYearTests.aggregate(p, period: "2024")
    #expect(agg.outside == 1)
    let adj = FullYearTests.adjustments.filter { $0.applies(to: "2024") }
    #expect(adj.count == 6)
    let pools = try Settlement.run(params: p, totals: agg.totals, adjustments: adj, ledger: FullYearTests.ledger)
    #expect(pools.map(\.pool) == ["310", "390"])

    // Pool 310: points budget 43,800 − 800 − 3,000 = 40,000; ÷ 0.8 = 50,000; 5,000 points → 点值 10.000000.
    let a = pools[0]
    #expect(a.pointsBudgetAmt == fen("40000"))
    #expect(a.totalCostAmt == fen("50000"))
    #expect(a.pointValue?.description == "10.000000")
    #expect(a.fundPartAmt == fen("40000"))
    #expect(a.budgetDiffAmt == 0)
    #expect(a.checkPassed)
    let h1 = a.lines[0]
    let h2 = a.lines[1]
    // H1 310: points amount 25,000; fund 20,000; carve-out 800; vbp 0.5 × 1,000 = 500; 结余 20,800 − 20,000 = 800
    // (4% ≤ 10%, kept in full) → 0; deduction 300; payable 20,000 + 800 + 500 − 300 = 21,000;
    // clearing 21,000 − 15,000 − 2,000 (周转金) − 600 + 600 (coef 1) = 4,000; 结算率 20,800 / 20,000 = 1.0400.
    #expect(h1.pointsAmt == fen("25000"))
    #expect(h1.fundPartAmt == fen("20000"))
    #expect(h1.carveOutAmt == fen("800"))
    #expect(h1.vbpReturnAmt == fen("500"))
    #expect(h1.surplusAdjAmt == 0)
    #expect(h1.deductionAmt == fen("300"))
    #expect(h1.payableAmt == fen("21000"))
    #expect(h1.clearingAmt == fen("4000"))
    #expect(h1.settleRatio?.description == "1.0400")
    // H2 310: fund 20,000 × 0.90 = 18,000; special 3,000; 按项目 26,000 + 3,000 = 29,000 against 20,000 + 3,000 =
    // 23,000 → 超支 6,000: the first 10% (2,900) half borne by the fund = 1,450, the rest by the hospital.
    // payable 18,000 + 3,000 + 1,450 − 200 (考核扣款) = 22,250; deposit back 1,000 × 0.9 = 900;
    // clearing 22,250 − 20,000 − 1,000 + 900 = 2,150; 结算率 22,450 / 29,000 = 0.7741.
    #expect(h2.assessedAmt == fen("18000"))
    #expect(h2.specialCaseAmt == fen("3000"))
    #expect(h2.ffsAmt == fen("29000"))
    #expect(h2.surplusAdjAmt == fen("1450"))
    #expect(h2.assessmentDeductionAmt == fen("200"))
    #expect(h2.payableAmt == fen("22250"))
    #expect(h2.depositReturnAmt == fen("900"))
    #expect(h2.clearingAmt == fen("2150"))
    #expect(h2.settleRatio?.description == "0.7741")
    #expect(h2.totals.specialCases == 1 && h2.totals.cases == 2)

    // Pool 390: ratio Σ hifp / Σ medfee = 20,000 / 40,000; points budget 25,300 − 1,300 = 24,000 → 48,000 total;
    // 4,000 points → 点值 12.000000; fund 24,000 split 7,200 / 16,800.
    let b = pools[1]
    #expect(b.payRatio?.description == "0.500000")
    #expect(b.pointValue?.description == "12.000000")
    #expect(b.checkPassed)
    let g1 = b.lines[0]
    let g3 = b.lines[1]
    // H1 390: fund 7,200 against 按项目 6,000: 结余 1,200 (20%): 600 kept in full, 600 × 0.6 = 360 → −240;
    // payable 6,960; clearing 6,960 − 5,000 − 250 + 250 = 1,960; 结算率 6,960 / 6,000 = 1.1600.
    #expect(g1.fundPartAmt == fen("7200"))
    #expect(g1.surplusAdjAmt == fen("-240"))
    #expect(g1.payableAmt == fen("6960"))
    #expect(g1.clearingAmt == fen("1960"))
    #expect(g1.settleRatio?.description == "1.1600")
    // H3 390: fund 16,800 + special 1,300 = 18,100 against 14,000: 结余 4,100: 1,400 kept, 2,700 × 0.6 = 1,620
    // → −1,080; payable 16,800 + 1,300 − 1,080 = 17,020; 周转金 500 recovered;
    // clearing 17,020 − 12,000 − 500 − 600 + 600 = 4,520; 结算率 17,020 / 14,000 = 1.2157.
    #expect(g3.fundPartAmt == fen("16800"))
    #expect(g3.surplusAdjAmt == fen("-1080"))
    #expect(g3.payableAmt == fen("17020"))
    #expect(g3.turnoverFundAmt == fen("500"))
    #expect(g3.clearingAmt == fen("4520"))
    #expect(g3.settleRatio?.description == "1.2157")

    // The records carry the named fields, and the pool record says the check passed.
    var out: [UInt8] = []
    ClearingRecords.write(a, period: "2024", params: "test", into: &out)
    let text = String(decoding: out, as: UTF8.self)
    #expect(text.contains(#""kind":"clearing","pool":"310","fixmedins_code":"H1""#))
    #expect(text.contains(#""surplus_adj_amt":1450.00"#))
    #expect(text.contains(#""kind":"pool","pool":"310""#) && text.contains(#""check":"pass""#))
  }

  /// The same year's March prepayment at the year-start value. March has one case, H1 390: 1,200 points × 11 =
  /// 13,200, the patient paid 6,000 → 7,200; × 0.95 = 6,840, minus H1's March deduction of 300 (no pool given, and
  /// in March H1 has points only in 390) = 6,540; deposit 7,200 × 0.05 = 360. Pool 310 has nothing in March.
  /// Adjustments without a period wait for the year end (a month takes only its own).
  @Test func marchPrepayment() throws {
    let p = FullYearTests.params()
    let agg = try FullYearTests.aggregate(p, period: "2024-03")
    #expect(agg.outside == 7)
    let adj = FullYearTests.adjustments.filter { $0.applies(to: "2024-03") }
    #expect(adj.count == 1)
    let pools = try Prepayment.run(params: p, totals: agg.totals, adjustments: adj)
    #expect(pools.map(\.pool) == ["390"])
    let h1 = pools[0].lines[0]
    #expect(h1.pointsAmt == fen("13200"))
    #expect(h1.monthFundAmt == fen("7200"))
    #expect(h1.deductionAmt == fen("300"))
    #expect(h1.prepaidAmt == fen("6540"))
    #expect(h1.depositAmt == fen("360"))
    #expect(pools[0].checkPassed)
  }

  /// Posting the same month twice leaves one effective run; the year-end settle reads it once.
  @Test func rerunIsIdempotent() throws {
    let dir = try TestSupport.tempDir()
    let ws = try Workspace.open(dir.appendingPathComponent("mi.db").path, create: true)
    let p = FullYearTests.params()
    let agg = try FullYearTests.aggregate(p, period: "2024-03")
    let adj = FullYearTests.adjustments.filter { $0.applies(to: "2024-03") }
    let pools = try Prepayment.run(params: p, totals: agg.totals, adjustments: adj)
    let lines = Prepayment.ledgerLines(pools)
    for _ in 0..<2 {
      try ws.postRun(
        tool: "mi-clear", kind: "prepay", period: "2024-03", params: "test", inputSHA256: "x", lines: lines)
    }
    let runs = try ws.ledgerRuns(tool: "mi-clear")
    #expect(runs.count == 2)
    #expect(runs.filter { $0.supersededBy == nil }.count == 1)
    let effective = try ws.effectiveLines(tool: "mi-clear", kind: "prepay", periodPrefix: "2024-")
    #expect(effective.count == lines.count)
    let year = try Settlement.run(
      params: p, totals: try FullYearTests.aggregate(p, period: "2024").totals, adjustments: [], ledger: effective)
    let prepaid = year.reduce(0) { $0 + $1.sum(\.prepaidAmt) }
    #expect(prepaid == pools.reduce(0) { $0 + $1.sum(\.prepaidAmt) })
    #expect(prepaid == fen("6540"))
  }
}

/// `--partial` / `--merge` (DESIGN.md §6): two shards' partial records, merged, clear exactly like all the cases.
@Suite struct PartialMergeTests {
  @Test func mergedShardsEqualOneRun() throws {
    let p = FullYearTests.params()
    var shards: [[UInt8]] = []
    for half in [Array(FullYearTests.cases.prefix(4)), Array(FullYearTests.cases.dropFirst(4))] {
      let agg = CaseAggregator(params: p, paramsName: "test", period: "2024")
      for c in half { _ = try TestSupport.withRecord(c) { s in try agg.add(s) } }
      var out: [UInt8] = []
      Partials.write(agg.totals, period: "2024", params: "test", into: &out)
      shards.append(out)
    }
    let merged = CaseAggregator(params: p, paramsName: "test", period: "2024")
    for shard in shards {
      for line in String(decoding: shard, as: UTF8.self).split(separator: "\n") {
        try TestSupport.withRecord(String(line)) { s in try merged.merge(s) }
      }
    }
    let whole = try FullYearTests.aggregate(p, period: "2024")
    #expect(merged.totals == whole.totals)
    func records(_ totals: [PoolHospital: HospitalTotals]) throws -> String {
      var out: [UInt8] = []
      let adj = FullYearTests.adjustments.filter { $0.applies(to: "2024") }
      for pool in try Settlement.run(params: p, totals: totals, adjustments: adj, ledger: FullYearTests.ledger) {
        ClearingRecords.write(pool, period: "2024", params: "test", into: &out)
      }
      return String(decoding: out, as: UTF8.self)
    }
    #expect(try records(merged.totals) == records(whole.totals))
    // A partial record of another period is refused, naming the field.
    let other = CaseAggregator(params: p, paramsName: "test", period: "2025")
    let line = String(decoding: shards[0], as: UTF8.self).split(separator: "\n")[0]
    #expect(throws: FieldError("period", "not the period of this run (2025)")) {
      try TestSupport.withRecord(String(line)) { s in try other.merge(s) }
    }
  }
}
