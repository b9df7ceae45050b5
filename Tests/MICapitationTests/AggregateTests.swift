import MICapitation
import MIClearing
import MICore
import MITestSupport
import Testing

/// One outpatient settlement line for the aggregator (insured and treated in 331100 unless told otherwise).
func rec(
  psn: String, inst: String, med: String = "11", hifp: String, special: String = "0.00", insutype: String = "310",
  insured: String = "331100", blng: String = "331100", time: String = "2024-03-05 10:00:00", refund: Bool = false
) -> String {
  """
  {"setl_id":"S","psn_no":"\(psn)","fixmedins_code":"\(inst)","insutype":"\(insutype)","med_type":"\(med)",\
  "insuplc_admdvs":"\(insured)","fix_blng_admdvs":"\(blng)","setl_time":"\(time)","hifp_pay":\(hifp),\
  "special_amt":\(special)\(refund ? ",\"refd_setl_flag\":\"1\"" : "")}
  """
}

/// Feeds lines to an aggregator for 2024 (or one month) and returns the pool totals.
func aggregate(_ lines: [String], _ p: CapitationParams, month: Int? = nil) throws -> [String: PoolTotals] {
  var a = CapitationAggregator(params: p, year: "2024", month: month)
  for l in lines { try TestSupport.withRecord(l) { try a.add($0) } }
  return a.finish()
}

/// Parameter sets for the aggregator tests.
enum TestParams {
  /// 310-general and 310-special in 331100.
  static var twoPools: CapitationParams {
    var p = CapitationParams(poolAdmdvs: "331100")
    for (name, special) in [("310-general", false), ("310-special", true)] {
      p.pools[name] = CapitationPool(name: name, insutype: "310", special: special, budgetFen: yuan(1000))
    }
    return p
  }
}

/// Scope, netting and counting over settlement records (DOMAIN.md §4, seed 002 二, 三(一)(二)).
@Suite struct AggregateTests {
  @Test func refundsNet() throws {
    // 100.00 (special 20.00), then its refund −100.00 (special −20.00), then 50.00: F_i = 50.00, S_i = 0.
    let t = try aggregate(
      [
        rec(psn: "P1", inst: "H1", hifp: "100.00", special: "20.00"),
        rec(psn: "P1", inst: "H1", hifp: "-100.00", special: "-20.00", refund: true),
        rec(psn: "P2", inst: "H1", hifp: "50.00"),
      ], TestParams.twoPools)
    let h = try #require(t["310-general"]?.institutions["H1"])
    #expect(h.fundFen == 5000)
    #expect(h.specialFen == 0)
    #expect(h.settlements == 3)
    #expect(h.monthFundFen[2] == 5000)
    #expect(t["310-general"]?.persons == 2)
  }

  @Test func aRefundAloneAddsNoPerson() throws {
    // A refund of last year's settlement: its amount nets, but P9 had no visit this year.
    let t = try aggregate(
      [rec(psn: "P9", inst: "H1", hifp: "-30.00", refund: true), rec(psn: "P1", inst: "H1", hifp: "80.00")],
      TestParams.twoPools)
    #expect(t["310-general"]?.persons == 1)
    #expect(t["310-general"]?.institutions["H1"]?.fundFen == 5000)
  }

  @Test func aPersonCountsOnceAcrossInstitutions() throws {
    let t = try aggregate(
      [
        rec(psn: "P1", inst: "H1", hifp: "10.00"), rec(psn: "P1", inst: "H2", hifp: "10.00"),
        rec(psn: "P1", inst: "H3", hifp: "10.00"), rec(psn: "P2", inst: "H3", hifp: "10.00"),
      ], TestParams.twoPools)
    #expect(t["310-general"]?.persons == 2)
    #expect(t["310-general"]?.institutions.count == 3)
  }

  @Test func scopeRules() throws {
    var a = CapitationAggregator(params: TestParams.twoPools, year: "2024")
    let lines = [
      rec(psn: "P1", inst: "H1", hifp: "10.00"),  // local 普通门诊
      rec(psn: "P1", inst: "H1", med: "1401", hifp: "20.00"),  // 特殊病种 by prefix 14
      rec(psn: "P2", inst: "H1", hifp: "30.00", insured: "330100"),  // 异地参保: outside
      rec(psn: "P3", inst: "X1", hifp: "40.00", blng: "330100"),  // 异地就医: R
      rec(psn: "P4", inst: "H5", hifp: "5.00", insured: "331102", blng: "331122"),  // counties of 3311: inside
      rec(psn: "P5", inst: "H1", med: "21", hifp: "900.00"),  // inpatient: outside
      rec(psn: "P6", inst: "H1", hifp: "7.00", insutype: "390"),  // no 390 pool in the params
      rec(psn: "P7", inst: "H1", hifp: "8.00", time: "2023-12-31 23:59:59"),  // other year
    ]
    for l in lines { try TestSupport.withRecord(l) { try a.add($0) } }
    let t = a.finish()
    #expect(t["310-general"]?.institutions["H1"]?.fundFen == 1000)
    #expect(t["310-special"]?.institutions["H1"]?.fundFen == 2000)
    #expect(t["310-general"]?.remoteFen == 4000)
    #expect(t["310-general"]?.institutions["X1"] == nil)
    #expect(t["310-general"]?.institutions["H5"]?.fundFen == 500)
    #expect(a.insuredElsewhere == 1)
    #expect(a.inpatient == 1)
    #expect(a.withoutPool == ["390-general": 1])
    #expect(a.outsidePeriod == 1)
    #expect(a.extra == ["outside the period 1", "inpatient 1", "异地参保 1", "no pool 390-general 1"])
  }

  @Test func escapedAndDuplicateKeys() throws {
    // "psn\u005fno" is psn_no; of two hifp_pay members the later wins (as RecordScanner.index has it); a number
    // is a code too (insutype 310).
    let line =
      #"{"psn\u005fno":"P1","fixmedins_code":"H1","insutype":310,"med_type":"11","#
      + #""setl_time":"2024-05-01 08:00:00","hifp_pay":1.00,"hifp_pay":2.50}"#
    let t = try aggregate([line], TestParams.twoPools)
    #expect(t["310-general"]?.institutions["H1"]?.fundFen == 250)
    #expect(t["310-general"]?.persons == 1)
  }

  @Test func monthFilter() throws {
    let t = try aggregate(
      [
        rec(psn: "P1", inst: "H1", hifp: "10.00", time: "2024-03-01 08:00:00"),
        rec(psn: "P1", inst: "H1", hifp: "99.00", time: "2024-04-01 08:00:00"),
      ], TestParams.twoPools, month: 3)
    #expect(t["310-general"]?.institutions["H1"]?.monthFundFen[2] == 1000)
    #expect(t["310-general"]?.institutions["H1"]?.fundFen == 1000)
  }

  @Test(arguments: [
    (rec(psn: "P1", inst: "H1", hifp: "10.00", special: "10.01"), "special_amt"),
    (rec(psn: "P1", inst: "H1", hifp: "-10.00", special: "5.00"), "special_amt"),
    (rec(psn: "P1", inst: "H1", hifp: "10.001"), "hifp_pay"),
    (rec(psn: "P1", inst: "H1", hifp: "10.00", time: "2024/03/01"), "setl_time"),
    (
      #"{"psn_no":"P1","fixmedins_code":"H1","insutype":"310","setl_time":"2024-01-01 00:00:00","hifp_pay":1}"#,
      "med_type"
    ),
    (
      #"{"fixmedins_code":"H1","insutype":"310","med_type":"11","setl_time":"2024-01-01 00:00:00","hifp_pay":1}"#,
      "psn_no"
    ),
  ])
  func badFieldsAreNamed(line: String, field: String) throws {
    var a = CapitationAggregator(params: TestParams.twoPools, year: "2024")
    #expect(throws: FieldError.self) { try TestSupport.withRecord(line) { try a.add($0) } }
    do {
      try TestSupport.withRecord(line) { try a.add($0) }
    } catch let e as FieldError {
      #expect(e.field == field)
    }
  }

  @Test func personSetCountsDistinctHashes() {
    var s = PersonSet(capacity: 4)
    for i in 0..<10_000 { s.insert(hash: PersonSet.hash("P\(i)")) }
    for i in 0..<10_000 { s.insert(hash: PersonSet.hash("P\(i)")) }
    #expect(s.count == 10_000)
    #expect(s.contains(hash: PersonSet.hash("P42")))
    #expect(!s.contains(hash: PersonSet.hash("P10000")))
  }

  @Test func deductionsByPoolAndType() throws {
    let totals: [String: PoolTotals] = [
      "310-general": PoolTotals(
        institutions: ["H1": InstitutionTotals(fundFen: 900, specialFen: 0)], remoteFen: 0, persons: 1),
      "310-special": PoolTotals(
        institutions: ["H1": InstitutionTotals(fundFen: 100, specialFen: 0)], remoteFen: 0, persons: 1),
    ]
    let adj = [
      Adjustment(fixmedinsCode: "H1", pool: "310-special", amountFen: 500, type: .deduction),
      Adjustment(fixmedinsCode: "H1", amountFen: 300, type: .assessment),  // no pool → H1's largest F: 310-general
      Adjustment(fixmedinsCode: "H1", amountFen: 700, type: .vbpReturn),  // not capitation's
    ]
    let d = try Capitation.deductions(adj, totals: totals)
    #expect(d.audit == ["310-special": ["H1": 500]])
    #expect(d.assessment == ["310-general": ["H1": 300]])
    #expect(d.notApplicable == 1 && d.used == 2)
    #expect(throws: MIError.self) {
      try Capitation.deductions(
        [Adjustment(fixmedinsCode: "H1", pool: "310", amountFen: 1, type: .deduction)], totals: totals)
    }
    #expect(throws: MIError.self) {
      try Capitation.deductions([Adjustment(fixmedinsCode: "H7", amountFen: 1, type: .deduction)], totals: totals)
    }
  }

  @Test func prepayIsTheMonthsFundTimesTheRatio() {
    // 31,900,000.00 × 0.9 = 28,710,000.00; 0.05 × 0.9 = 0.045 → 0.05 (half up).
    var m = [Int64](repeating: 0, count: 12)
    m[0] = yuan(31_900_000)
    var m2 = [Int64](repeating: 0, count: 12)
    m2[0] = 5
    let totals = PoolTotals(
      institutions: [
        "H1": InstitutionTotals(fundFen: 0, specialFen: 0, monthFundFen: m),
        "H2": InstitutionTotals(fundFen: 0, specialFen: 0, monthFundFen: m2),
      ], remoteFen: 0, persons: 1)
    let p = Capitation.prepay(pool: Lishui.pool, totals: totals, month: 1)
    #expect(p.lines.map(\.prepayFen) == [yuan(28_710_000), 5])
    #expect(p.prepayFen == yuan(28_710_000) + 5)
  }

  @Test func emptyPoolIsAnError() {
    #expect(throws: MIError.self) {
      try Capitation.settle(pool: Lishui.pool, params: Lishui.params, totals: PoolTotals(), persons: 0)
    }
  }
}
