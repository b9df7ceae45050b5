import MICore
import MITestSupport
import Testing

@testable import MIClearing

/// A fixed-point value from text, for readable expectations.
func fx(_ s: String, _ scale: Int) -> Fixed { Fixed(s, scale: scale)! }

/// Fen from yuan text.
func fen(_ s: String) -> Int64 { Money.parse(s)! }

/// DOMAIN.md §9 worked examples, computed by hand there.
@Suite struct WorkedExamplesTests {
  /// §9.2 年初点值: costs 100 M / 110 M / 120 M, scores 14.0 M / 14.5 M / 15.0 M, weights 1:2:7
  /// → 116,000,000 / 14,800,000 = 7.837838.
  @Test func initialPointValue() {
    let v = PointValue.initial(
      costsFen: [fen("100000000"), fen("110000000"), fen("120000000")],
      pointsRaw: [140_000_000_000, 145_000_000_000, 150_000_000_000], weights: [1, 2, 7])
    #expect(v.description == "7.837838")
  }

  /// §9.2 结算点值: fund 90,000,000, 医保支付比例 0.75, total score 15,000,000 → 90,000,000 / 0.75 / 15,000,000 = 8.
  @Test func settlementPointValue() {
    let total = PointValue.totalCost(budgetFen: fen("90000000"), ratio: fx("0.75", 6), medfeeFen: 0, fundFen: 0)
    #expect(total == fen("120000000"))
    #expect(PointValue.settlement(totalCostFen: total!, pointsRaw: 150_000_000_000).description == "8.000000")
    // The computed ratio gives the same value without rounding it first: Σ hifp 75, Σ medfee 100.
    let computed = PointValue.totalCost(budgetFen: fen("90000000"), ratio: nil, medfeeFen: 10000, fundFen: 7500)
    #expect(computed == fen("120000000"))
  }

  /// §9.2 through the whole settle path: a floating pool with that budget, ratio and score pays 8.000000 per point.
  @Test func settlementPointValueThroughSettle() throws {
    var p = ClearingParams()
    p.pools["310"] = PoolParams(
      pool: "310", budgetFen: fen("90000000"), initialPointValue: nil, payRatio: fx("0.75", 6))
    var t = HospitalTotals()
    t.cases = 1
    t.pointsRaw = 150_000_000_000
    t.medfeeFen = fen("120000000")
    t.hifpFen = fen("90000000")
    let pools = try Settlement.run(params: p, totals: [PoolHospital("310", "H1"): t], adjustments: [], ledger: [])
    #expect(pools[0].pointValue?.description == "8.000000")
    #expect(pools[0].pointsAmt == fen("120000000"))
    #expect(pools[0].fundPartAmt == fen("90000000"))
    #expect(pools[0].budgetDiffAmt == 0)
  }

  /// §9.4 monthly prepayment: (500,000 × 8 − 1,000,000) × 0.90 − 20,000 = 2,680,000.00.
  @Test func monthlyPrepayment() throws {
    var p = ClearingParams()
    p.monthlyRatio = fx("0.90", 4)
    p.qualityDeposit = fx("0.10", 4)
    p.pools["310"] = PoolParams(pool: "310", budgetFen: fen("1"), initialPointValue: fx("8", 6))
    var t = HospitalTotals()
    t.cases = 10
    t.pointsRaw = 5_000_000_000  // 500,000 points
    t.psnPartFen = fen("1000000")
    let adj = [
      Adjustment(fixmedinsCode: "H1", pool: "310", period: "2024-03", amountFen: fen("20000"), type: .deduction)
    ]
    let pools = try Prepayment.run(params: p, totals: [PoolHospital("310", "H1"): t], adjustments: adj)
    let line = pools[0].lines[0]
    #expect(line.pointsAmt == fen("4000000"))
    #expect(line.monthFundAmt == fen("3000000"))
    #expect(line.prepaidAmt == fen("2680000"))
    // The DIP3 example keeps 10% as 质量保证金: 3,000,000 × 0.10.
    #expect(line.depositAmt == fen("300000"))
  }

  /// §9.5 结余/超支 with illustrative bands: 记账 10,000,000 vs payable 10,800,000.
  @Test func surplusAndOverspend() {
    let full = [Band(upto: fx("0.10", 4), share: fx("1", 4)), Band(upto: nil, share: fx("0", 4))]
    let sixty = [Band(upto: nil, share: fx("0.6", 4))]
    let half = [Band(upto: nil, share: fx("0.5", 4))]
    // "≤10% kept in full": 结余 800,000 (8%) is kept → payment 10,800,000.00.
    let kept = Surplus.adjustment(payableFen: fen("10800000"), ffsFen: fen("10000000"), surplus: full, overspend: half)
    #expect(fen("10800000") + kept == fen("10800000"))
    // "60% kept": 10,000,000 + 0.6 × 800,000 = 10,480,000.00.
    let part = Surplus.adjustment(payableFen: fen("10800000"), ffsFen: fen("10000000"), surplus: sixty, overspend: half)
    #expect(fen("10800000") + part == fen("10480000"))
    // 记账 11,500,000 vs 10,800,000: 超支 700,000, "fund shares 50%" → 10,800,000 + 350,000 = 11,150,000.00.
    let over = Surplus.adjustment(payableFen: fen("10800000"), ffsFen: fen("11500000"), surplus: sixty, overspend: half)
    #expect(fen("10800000") + over == fen("11150000"))
  }

  /// Bands work like brackets: 20% surplus over "≤10% in full, above at 60%" keeps 10% + 0.6 × 10%.
  @Test func bracketBands() {
    let bands = [Band(upto: fx("0.10", 4), share: fx("1", 4)), Band(upto: nil, share: fx("0.6", 4))]
    // 记账 1,000, payable 1,200: 100 kept in full, 100 × 0.6 = 60 → kept 160, effect −40.
    #expect(Surplus.adjustment(payableFen: 120_000, ffsFen: 100_000, surplus: bands, overspend: []) == -4_000)
  }

  /// §9.8 benefit (seed 001): 居民 二级 政策范围内 10,000 → (10,000 − 400) × 0.72 = 6,912.00; 三级 → 5,520.00.
  @Test func linyiBenefit() throws {
    let text = try String(
      contentsOf: TestSupport.examplesDir.appendingPathComponent("benefit-policy.toml"), encoding: .utf8)
    let policy = try BenefitPolicy.load(try Params(text: text, name: "benefit-policy.toml"))
    #expect(policy.newFund(insutype: "390", medType: "21", level: "2", inscpFen: fen("10000")) == fen("6912"))
    #expect(policy.newFund(insutype: "390", medType: "21", level: "3", inscpFen: fen("10000")) == fen("5520"))
    #expect(policy.newFund(insutype: "390", medType: "21", level: "0", inscpFen: fen("10000")) == fen("8820"))
    // Below the 起付线 nothing is paid.
    #expect(policy.newFund(insutype: "390", medType: "2101", level: "3", inscpFen: fen("700")) == 0)
    // 普通门诊 50% only at primary institutions; nothing at a 二级 hospital.
    #expect(policy.newFund(insutype: "390", medType: "11", level: "0", inscpFen: fen("300")) == fen("150"))
    #expect(policy.newFund(insutype: "390", medType: "11", level: "2", inscpFen: fen("300")) == 0)
    // 门诊慢特病 (14) is not 普通门诊: no rule.
    #expect(policy.newFund(insutype: "390", medType: "14", level: "0", inscpFen: fen("300")) == nil)
    // 职工 are not in the seed: no rule, the old amount stays.
    #expect(policy.newFund(insutype: "310", medType: "21", level: "3", inscpFen: fen("10000")) == nil)
  }

  /// The benefit simulation writes old and new amounts per case and sums them per hospital.
  @Test func benefitSimulationTotals() throws {
    var policy = BenefitPolicy(name: "t")
    policy.inpatient["390"] = ["2": BenefitRule(deductibleFen: 40_000, ratio: fx("0.72", 4))]
    let sim = BenefitSimulation(policy: policy)
    var out: [UInt8] = []
    let cases = [
      #"{"setl_id":"1","fixmedins_code":"H2","insutype":"390","med_type":"21","hosp_lv":"2","hifp_pay":7000.00,"inscp_scp_amt":10000.00}"#,
      #"{"setl_id":"2","fixmedins_code":"H2","insutype":"310","med_type":"21","hosp_lv":"2","hifp_pay":100.00,"inscp_scp_amt":200.00}"#,
    ]
    for c in cases { try TestSupport.withRecord(c) { s in try sim.apply(s, writeCase: true, into: &out) } }
    let text = String(decoding: out, as: UTF8.self)
    #expect(text.contains(#""fund_old_amt":7000.00,"fund_new_amt":6912.00,"fund_diff_amt":-88.00"#))
    #expect(text.contains(#""benefit_policy":null,"fund_old_amt":100.00,"fund_new_amt":100.00,"fund_diff_amt":0.00"#))
    out = []
    sim.writeTotals(into: &out)
    let totals = String(decoding: out, as: UTF8.self)
    #expect(
      totals.contains(
        #""kind":"benefit-total","benefit_policy":"t","cases":2,"unmatched_cases":1,"fund_old_amt":7100.00,"fund_new_amt":7012.00,"fund_diff_amt":-88.00"#
      ))
  }
}

/// Allocation, point-value modes and parameter checks.
@Suite struct MechanicsTests {
  /// 1.00 yuan over three equal weights: 34 + 33 + 33 fen, the extra fen to the smallest code whatever the order.
  @Test func largestRemainderTiesByCode() {
    #expect(Allocation.largestRemainder(100, weights: [1, 1, 1], keys: ["B", "A", "C"]) == [33, 34, 33])
    #expect(Allocation.largestRemainder(100, weights: [1, 1, 1], keys: ["A", "B", "C"]) == [34, 33, 33])
    // Largest remainder first: 10 fen by 1:2:4 → 1.43, 2.86, 5.71 → 1, 3, 6.
    #expect(Allocation.largestRemainder(10, weights: [1, 2, 4], keys: ["A", "B", "C"]) == [1, 3, 6])
    #expect(Allocation.largestRemainder(-100, weights: [1, 1, 1], keys: ["A", "B", "C"]) == [-34, -33, -33])
    #expect(Allocation.largestRemainder(100, weights: [0, 0], keys: ["A", "B"]) == [0, 0])
  }

  /// Elastic 8:2: base budget 0.8 × 120,000 = 96,000 buys 12,000 points at 8; the other 3,000 points share 24,000
  /// → 8.000000; with 18,000 points, 6,000 increment points share 24,000 → 4.000000; cap 0.9 → never above 7.2.
  @Test func elasticSplit() {
    let e = PointValue.elastic(
      totalCostFen: fen("120000"), pointsRaw: 150_000_000, initial: fx("8", 6), baseShare: fx("0.8", 4), cap: nil)
    #expect(e.basePointsRaw == 120_000_000)
    #expect(e.incrementValue?.description == "8.000000")
    #expect(e.amountFen == fen("120000"))
    let big = PointValue.elastic(
      totalCostFen: fen("120000"), pointsRaw: 180_000_000, initial: fx("8", 6), baseShare: fx("0.8", 4), cap: nil)
    #expect(big.incrementValue?.description == "4.000000")
    let low = PointValue.elastic(
      totalCostFen: fen("120000"), pointsRaw: 130_000_000, initial: fx("8", 6), baseShare: fx("0.8", 4),
      cap: fx("0.9", 4))
    // 1,000 increment points would get 24,000 / 1,000 = 24; the cap holds them at 7.2, and the fund keeps the rest.
    #expect(low.incrementValue?.description == "7.200000")
    #expect(low.capped)
    #expect(low.amountFen == fen("96000") + fen("7200"))
  }

  /// Errors name the key; a floating pool without a budget is refused at import.
  @Test func paramsErrorsNameTheKey() throws {
    func load(_ text: String) -> String? {
      do {
        _ = try ClearingParams.load(try Params(text: text, name: "p.toml"))
        return nil
      } catch { return error.message }
    }
    #expect(
      load("[clearing.pools.310]\ninitial_point_value = 8.0\n")?.contains(#"key "clearing.pools."310".budget""#) == true
    )
    #expect(load("[clearing]\npoint_mode = \"float\"\n")?.contains(#"key "clearing.point_mode""#) == true)
    #expect(load("[clearing]\nquality_deposit = 0.10\n")?.contains(#"key "clearing.quality_deposit""#) == true)
    #expect(load("[clearing]\ndeposit_cap = 0.10\nquality_deposit = 0.10\nmonthly_ratio = 0.90\n") == nil)
    #expect(load("[clearing]\nbase_increment = \"6:4\"\n")?.contains("clearing.base_increment") == true)
    #expect(load("[clearing.surplus_bands]\n\"0.10\" = 1.0\n")?.contains("needs an open last band") == true)
    #expect(
      load("[clearing]\npoint_mode = \"fixed\"\n[clearing.pools.390]\nbudget = 100\n")?.contains("initial_point_value")
        == true)
  }

  /// The example params file's [clearing] section loads, and its 居民 year-start value comes from the 1:2:7 history.
  @Test func exampleParams() throws {
    let url = TestSupport.examplesDir.appendingPathComponent("params-2024.toml")
    let text = try String(contentsOf: url, encoding: .utf8)
    let p = try ClearingParams.load(try Params(text: text, name: "params-2024.toml"))
    #expect(p.poolNames == ["310", "390"])
    // (1×70.40 + 2×73.48 + 7×77.28) million yuan / (1×3.20 + 2×3.34 + 7×3.45) million points
    //   = 758.32 / 34.03 = 22.2838671… → 22.283867
    #expect(p.pools["390"]?.initialPointValue?.description == "22.283867")
    #expect(p.coefficient("H33110000002") == fx("0.98", 4))
  }

  /// Points but no budget stops before anything is written, with a message naming the pool.
  @Test func pointsWithoutBudgetStop() {
    var p = ClearingParams()
    p.pools["310"] = PoolParams(pool: "310", budgetFen: nil, initialPointValue: nil)
    var t = HospitalTotals()
    t.pointsRaw = 10_000
    t.hifpFen = 100
    t.medfeeFen = 200
    #expect(throws: MIError.reference("pool 310: 1 points but no budget (clearing.pools.310.budget)")) {
      _ = try Settlement.run(params: p, totals: [PoolHospital("310", "H1"): t], adjustments: [], ledger: [])
    }
  }

  /// `310` and `"310"` are one pool; a rejected case (here: bad points) leaves no hospital behind.
  @Test func spellingsShareASlotAndRejectsLeaveNoTrace() throws {
    var p = ClearingParams()
    p.pools["310"] = PoolParams(pool: "310", budgetFen: 100, initialPointValue: nil)
    let agg = CaseAggregator(params: p, paramsName: "t", period: "2024")
    let a =
      #"{"fixmedins_code":"H1","insutype":"310","setl_time":"2024-01-01 00:00:00","points":1,"medfee_sumamt":1,"hifp_pay":1,"psn_part_amt":0}"#
    let b = a.replacingOccurrences(of: #""insutype":"310""#, with: #""insutype":310"#)
    let bad = a.replacingOccurrences(of: #""H1""#, with: #""H9""#).replacingOccurrences(
      of: #""points":1"#, with: #""points":"x""#)
    for line in [a, b, a] { _ = try TestSupport.withRecord(line) { s in try agg.add(s) } }
    #expect(throws: FieldError.self) { _ = try TestSupport.withRecord(bad) { s in try agg.add(s) } }
    #expect(agg.totals.count == 1)
    #expect(agg.totals[PoolHospital("310", "H1")]?.cases == 3)
    #expect(agg.totals[PoolHospital("310", "H1")]?.pointsRaw == 30_000)
  }

  /// 优值区间: hospitals at 8, 10 and 12 yuan per point (equal points) → pool mean 10; only the first is below
  /// (strictly) → 8.000000. With costs 700/900/2,000 over 100 points each, mean 12: the first two → 1,600/200 = 8.
  @Test func optimalIndexPointValue() {
    let a = IndexPointValue.optimal([(80_000, 1_000_000), (100_000, 1_000_000), (120_000, 1_000_000)])
    #expect(a?.value.description == "8.000000" && a?.hospitals == 1)
    let b = IndexPointValue.optimal([(70_000, 1_000_000), (90_000, 1_000_000), (200_000, 1_000_000)])
    #expect(b?.value.description == "8.000000" && b?.hospitals == 2)
  }

  /// A bad adjustment names its file, line and field.
  @Test func badAdjustment() throws {
    let dir = try TestSupport.tempDir()
    let path = dir.appendingPathComponent("adj.ndjson").path
    let text = """
      {"fixmedins_code":"H1","adj_type":"deduction","adj_amt":10.00}
      {"fixmedins_code":"H1","adj_type":"fine","adj_amt":10.00}
      """
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    var digest: SHA256? = nil
    #expect(
      throws: MIError.data(
        file: path, line: 2, field: "adj_type",
        message: "unknown type \"fine\" (expected deduction, assessment, vbp_return, special_case, turnover_fund)")
    ) {
      _ = try Adjustment.read(path, digest: &digest)
    }
  }
}
