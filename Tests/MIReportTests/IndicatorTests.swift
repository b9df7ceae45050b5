import MICore
import Testing

@testable import MIReport

/// Indicators from a hand-computed example (the numbers in the comments are worked by hand, not by the code).
///
/// Cases (inpatient, med_type 21; amounts in yuan):
///   1 H1 group A, 4 days, cost 1000, fund 800, weight 1000, normal
///   2 H1 group A, 6 days, cost 3000, fund 2400, weight 1000, high
///   3 H1 group B, 10 days, cost 5000, fund 4000, weight 2000, normal
///   4 H2 group A, 2 days, cost 2000, fund 1500, weight 1000, low
///   5 H2 ungroupable, 3 days, cost 1500, fund 1000, not scored
///   6 H2 outpatient (med_type 11), person P4 again
/// Group A over the input: 3 cases, 12 days (mean 4), cost 6000 (mean 2000); group B: 1 case, 10 days, 5000.
@Suite struct IndicatorTests {
  static let cases = [
    #"{"setl_id":"1","psn_no":"P1","fixmedins_code":"H1","insutype":"310","med_type":"21","setl_time":"2024-01-05 10:00:00","group_code":"A","group_status":"grouped","weight":1000,"points":1000,"case_class":"normal","act_ipt_days":4,"medfee_sumamt":1000.00,"hifp_pay":800.00,"psn_name":"张三","certno":"330102199001011234"}"#,
    #"{"setl_id":"2","psn_no":"P2","fixmedins_code":"H1","insutype":"310","med_type":"21","setl_time":"2024-01-09 10:00:00","group_code":"A","group_status":"grouped","weight":1000,"points":1100,"case_class":"high","act_ipt_days":6,"medfee_sumamt":3000.00,"hifp_pay":2400.00}"#,
    #"{"setl_id":"3","psn_no":"P3","fixmedins_code":"H1","insutype":"310","med_type":"21","setl_time":"2024-02-01 10:00:00","group_code":"B","group_status":"grouped","weight":2000,"points":2000,"case_class":"normal","act_ipt_days":10,"medfee_sumamt":5000.00,"hifp_pay":4000.00}"#,
    #"{"setl_id":"4","psn_no":"P4","fixmedins_code":"H2","insutype":"390","med_type":"21","setl_time":"2024-02-03 10:00:00","group_code":"A","group_status":"grouped","weight":1000,"points":900,"case_class":"low","act_ipt_days":2,"medfee_sumamt":2000.00,"hifp_pay":1500.00}"#,
    #"{"setl_id":"5","psn_no":"P5","fixmedins_code":"H2","insutype":"390","med_type":"21","setl_time":"2024-02-04 10:00:00","group_status":"ungroupable","act_ipt_days":3,"medfee_sumamt":1500.00,"hifp_pay":1000.00}"#,
    #"{"setl_id":"6","psn_no":"P4","fixmedins_code":"H2","insutype":"390","med_type":"11","setl_time":"2024-02-05 10:00:00","medfee_sumamt":100.00,"hifp_pay":50.00}"#,
  ]

  static func aggregate(
    _ lines: [String], by: [Dimension], registry: [String: HospitalInfo] = [:], detail: Bool = false
  ) throws -> IndicatorAggregate {
    var a = IndicatorAggregate(dims: by, registry: registry, detail: detail)
    let s = RecordScanner()
    for var l in lines {
      try l.withUTF8 { try s.parse(UnsafeRawBufferPointer($0)) }
      try a.add(record: s)
    }
    return a
  }

  /// The main table's value of `key` in the row whose first cell is `first`.
  static func value(_ t: Table, _ first: String, _ key: String) -> Cell? {
    guard let col = t.columns.firstIndex(where: { $0.key == key }) else { return nil }
    return t.rows.first { $0.first == .text(first) }?[col]
  }

  static func f(_ text: String) -> Fixed { Fixed(text, scale: 4)! }

  @Test func perInstitution() throws {
    let r = try IndicatorTests.aggregate(IndicatorTests.cases, by: [.fixmedins_code]).report(
      previous: nil, targets: .defaults)
    let t = r.tables[0]
    let v = { (h: String, k: String) in IndicatorTests.value(t, h, k) }
    #expect(v("H1", "cases") == .int(3))
    #expect(v("H1", "grouping_rate") == .percent(IndicatorTests.f("1")))
    #expect(v("H1", "cmi") == .fixed(IndicatorTests.f("1333.3333")))  // 4000 / 3
    #expect(v("H1", "time_index") == .fixed(IndicatorTests.f("1.1667")))  // (4/4 + 6/4 + 10/10) / 3 = 3.5 / 3
    #expect(v("H1", "cost_index") == .fixed(IndicatorTests.f("1")))  // (0.5 + 1.5 + 1) / 3
    #expect(v("H1", "cost_cv") == .percent(IndicatorTests.f("0.5443")))  // SD 1632.993 / mean 3000
    #expect(v("H1", "avg_cost") == .money(300_000))
    #expect(v("H1", "high_share") == .percent(IndicatorTests.f("0.3333")))
    #expect(v("H2", "cases") == .int(2))
    #expect(v("H2", "grouping_rate") == .percent(IndicatorTests.f("0.5")))
    #expect(v("H2", "fund_share") == .percent(IndicatorTests.f("0.6")))  // 1500 / 2500
    #expect(v("H2", "time_index") == .fixed(IndicatorTests.f("0.5")))  // 2 / 4
    #expect(v("H2", "avg_cost") == .money(175_000))
    #expect(v("H2", "low_share") == .percent(IndicatorTests.f("1")))
    #expect(v("H2", "opt_ipt_ratio") == .fixed(IndicatorTests.f("0.5")))  // 1 outpatient / 2 inpatient
    #expect(v("H2", "visits_per_person") == .fixed(IndicatorTests.f("1")))  // 1 outpatient visit / P4
  }

  @Test func targetsMetAndNotMet() throws {
    let r = try IndicatorTests.aggregate(IndicatorTests.cases, by: []).report(previous: nil, targets: .defaults)
    let targets = r.tables[1]
    #expect(targets.kind == "target")
    // 入组率 4 / 5 = 80% < 90%; 基金支出占比 8700 / 9700 = 89.69% ≥ 70%.
    #expect(targets.rows[0][1] == .percent(IndicatorTests.f("0.8")) && targets.rows[0][3] == .met(false))
    #expect(targets.rows[1][1] == .percent(IndicatorTests.f("0.8969")) && targets.rows[1][3] == .met(true))
  }

  @Test func clearingRateAndItsInverse() throws {
    let line =
      #"{"kind":"clearing","pool":"310","fixmedins_code":"H1","period":"2024","cases":3,"points":4100.0000,"assessed_amt":900.00,"carve_out_amt":100.00,"special_case_amt":0.00,"surplus_adj_amt":-50.00,"ffs_amt":1000.00,"payable_amt":950.00,"clearing_amt":950.00}"#
    let r = try IndicatorTests.aggregate([line], by: [.fixmedins_code]).report(previous: nil, targets: .defaults)
    // 结算率 (900 + 100 + 0 − 50) / 1000 = 95%; 医保结算支付比 1000 / 950 = 1.052631… → 105.26%.
    #expect(IndicatorTests.value(r.tables[0], "H1", "settle_ratio") == .percent(IndicatorTests.f("0.95")))
    #expect(IndicatorTests.value(r.tables[0], "H1", "payment_ratio") == .percent(IndicatorTests.f("1.0526")))
    #expect(IndicatorTests.value(r.tables[0], "H1", "clearing_amt") == .money(95_000))
  }

  @Test func growthAgainstThePreviousYear() throws {
    // DOMAIN.md §9.9: 次均 11,080 → 10,468 is "下降5.52%" (−612 / 11,080 = −0.05523…).
    #expect(Ratio.growth(current: 1_046_800, 1, previous: 1_108_000, 1, scale: 4) == IndicatorTests.f("-0.0552"))
    // H1 last year: two cases of 5000 in all (2500 each); this year 3000 each: +20%.
    let prev = [
      #"{"setl_id":"p1","fixmedins_code":"H1","med_type":"21","setl_time":"2023-01-05 10:00:00","medfee_sumamt":2000.00}"#,
      #"{"setl_id":"p2","fixmedins_code":"H1","med_type":"21","setl_time":"2023-03-05 10:00:00","medfee_sumamt":3000.00}"#,
    ]
    let p = try IndicatorTests.aggregate(prev, by: [.fixmedins_code])
    let r = try IndicatorTests.aggregate(IndicatorTests.cases, by: [.fixmedins_code]).report(
      previous: p, targets: .defaults)
    #expect(IndicatorTests.value(r.tables[0], "H1", "avg_cost_growth") == .percent(IndicatorTests.f("0.2")))
    #expect(IndicatorTests.value(r.tables[0], "H2", "avg_cost_growth") == Cell.none)
  }

  @Test func drugAndMaterialRatiosFromItemAmounts() throws {
    let line =
      #"{"setl_id":"1","fixmedins_code":"H1","med_type":"21","medfee_sumamt":1000.00,"item_amts":{"01":100.00,"08":150.00,"09":200.00,"10":"50.00","11":25.50}}"#
    let r = try IndicatorTests.aggregate([line], by: [.fixmedins_code]).report(previous: nil, targets: .defaults)
    #expect(IndicatorTests.value(r.tables[0], "H1", "drug_ratio") == .percent(IndicatorTests.f("0.2755")))
    #expect(IndicatorTests.value(r.tables[0], "H1", "material_ratio") == .percent(IndicatorTests.f("0.15")))
    let bad = #"{"setl_id":"1","fixmedins_code":"H1","med_type":"21","item_amts":{"09":1.005}}"#
    #expect(throws: FieldError.self) { try IndicatorTests.aggregate([bad], by: []) }
  }

  @Test func cellsByMonthAndPool() throws {
    let r = try IndicatorTests.aggregate(IndicatorTests.cases, by: [.month, .pool]).report(
      previous: nil, targets: .defaults)
    let firsts = r.tables[0].rows.map { Array($0.prefix(2)) }
    #expect(
      firsts == [
        [.text("2024-01"), .text("310")], [.text("2024-02"), .text("310")], [.text("2024-02"), .text("390")],
      ])
  }

  @Test func workersMergeToTheSameReport() throws {
    let whole = try IndicatorTests.aggregate(IndicatorTests.cases, by: [.fixmedins_code, .group_code])
    var a = try IndicatorTests.aggregate(Array(IndicatorTests.cases.prefix(3)), by: [.fixmedins_code, .group_code])
    try a.merge(
      try IndicatorTests.aggregate(Array(IndicatorTests.cases.dropFirst(3)), by: [.fixmedins_code, .group_code]))
    #expect(
      a.report(previous: nil, targets: .defaults).tables == whole.report(previous: nil, targets: .defaults).tables)
  }

  @Test func coefficientOfVariation() {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population SD 2 → CV 0.4.
    let xs: [Int128] = [2, 4, 4, 4, 5, 5, 7, 9]
    let cv = Ratio.cv(count: 8, sum: xs.reduce(0, +), squares: xs.map { $0 * $0 }.reduce(0, +), scale: 4)
    #expect(cv == IndicatorTests.f("0.4"))
    #expect(Ratio.cv(count: 0, sum: 0, squares: 0, scale: 4) == nil)
  }
}
