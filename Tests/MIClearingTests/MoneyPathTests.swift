import Foundation
import MICore
import MITestSupport
import Testing

@testable import MIClearing

/// Issue 11, the money path: the point value rounded once, adjustments that would move money the wrong way, and
/// times that are not times.
@Suite struct MoneyPathTests {
  /// One case of 1,234,567.8901 points, budget 20,000,000.99, ratio 0.7: (20,000,000.99 ÷ 0.7) ÷ 1,234,567.8901 =
  /// 23.14285849…, so 23.142858. Rounding the total cost to the fen first (28,571,429.99) gave 23.142859, and
  /// 1,234,567.8901 × 0.000001 = 1.23 yuan too much over the pool.
  @Test func pointValueRoundedOnce() throws {
    let points: Int64 = 12_345_678_901
    let v = PointValue.floating(
      budgetFen: fen("20000000.99"), ratio: fx("0.7", 6), medfeeFen: 0, fundFen: 0, pointsRaw: points)
    #expect(v?.description == "23.142858")
    var p = ClearingParams()
    p.budgetNetOfFFS = true
    p.pools["310"] = PoolParams(
      pool: "310", budgetFen: fen("20000000.99"), initialPointValue: nil, payRatio: fx("0.7", 6))
    var t = HospitalTotals()
    t.cases = 1
    t.pointsRaw = points
    t.medfeeFen = fen("30000000")
    t.hifpFen = fen("21000000")
    let pool = try Settlement.run(params: p, totals: [PoolHospital("310", "H1"): t], adjustments: [], ledger: [])[0]
    #expect(pool.pointValue?.description == "23.142858")
    // 1,234,567.8901 × 23.142858 = 28,571,429.3719… → 28,571,429.37 (at 23.142859: 28,571,430.61); the total cost
    // shown stays rounded to the fen: 28,571,429.99.
    #expect(pool.pointsAmt == fen("28571429.37"))
    #expect(pool.totalCostAmt == fen("28571429.99"))
    // The computed ratio is not rounded either: Σ hifp / Σ medfee = 0.7 exactly gives the same value.
    let computed = PointValue.floating(
      budgetFen: fen("20000000.99"), ratio: nil, medfeeFen: fen("30000000"), fundFen: fen("21000000"),
      pointsRaw: points)
    #expect(computed?.description == "23.142858")
    // Half up at the sixth decimal: 0.01 yuan over 4,000 points = 0.0000025 → 0.000003.
    #expect(
      PointValue.floating(budgetFen: 1, ratio: fx("1", 6), medfeeFen: 0, fundFen: 0, pointsRaw: 40_000_000)?
        .description == "0.000003")
    #expect(PointValue.floating(budgetFen: 100, ratio: fx("1", 6), medfeeFen: 0, fundFen: 0, pointsRaw: 0) == nil)
  }

  /// Reads an adjustments file of `lines`, expecting the error of its last line.
  func rejected(_ lines: [String]) throws -> MIError? {
    let path = try TestSupport.tempDir().appendingPathComponent("adj.ndjson").path
    try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    var digest: SHA256? = nil
    do {
      _ = try Adjustment.read(path, digest: &digest)
      return nil
    } catch {
      guard case .data(let file, let line, _, _) = error, file == path, line == lines.count else {
        Issue.record("\(error)")
        return error
      }
      return error
    }
  }

  @Test func negativeAmountsAndTurnoverWithoutAMonthAreRefused() throws {
    let ok = #"{"fixmedins_code":"H1","adj_type":"deduction","adj_amt":10.00}"#
    let negative = try rejected([ok, #"{"fixmedins_code":"H1","adj_type":"deduction","adj_amt":-10.00}"#])
    #expect(
      negative?.message.hasSuffix(
        #":2: field "adj_amt": must not be negative (-10.00): the direction of the money is the adj_type's"#) == true)
    let noMonth = try rejected([#"{"fixmedins_code":"H1","pool":"310","adj_type":"turnover_fund","adj_amt":500.00}"#])
    #expect(
      noMonth?.message.hasSuffix(
        #":1: field "period": a turnover_fund needs the month it is paid with (YYYY-MM), found none"#) == true)
    let year = try rejected([#"{"fixmedins_code":"H1","period":"2024","adj_type":"turnover_fund","adj_amt":500.00}"#])
    #expect(year?.message.hasSuffix(#"found "2024""#) == true)
    #expect(
      try rejected([ok, #"{"fixmedins_code":"H1","period":"2024-03","adj_type":"turnover_fund","adj_amt":5}"#]) == nil)
    #expect(try rejected([#"{"fixmedins_code":"H1","adj_type":"special_case","adj_amt":0}"#]) == nil)
  }

  /// An adjustment for a hospital with no cases (and no prepayments, and not in the registry) would make a phantom
  /// record of a negative amount: refused in settle and prepay, accepted when the registry knows the hospital.
  @Test func phantomHospitalsAreRefused() throws {
    let p = FullYearTests.params()
    let totals = try FullYearTests.aggregate(p, period: "2024").totals
    let phantom = Adjustment(
      fixmedinsCode: "H9", pool: "310", amountFen: fen("1000"), type: .deduction, file: "adj.ndjson", line: 4)
    #expect(
      throws: MIError.data(
        file: "adj.ndjson", line: 4, field: "fixmedins_code",
        message: "hospital H9 has no cases or prepayments in this period and no hospital registry given (--hospitals)")
    ) { _ = try Settlement.run(params: p, totals: totals, adjustments: [phantom], ledger: []) }
    #expect(
      throws: MIError.data(
        file: "adj.ndjson", line: 4, field: "fixmedins_code",
        message: "hospital H9 has no cases or prepayments in this period and not in the hospital registry")
    ) { _ = try Prepayment.run(params: p, totals: totals, adjustments: [phantom], registry: ["H1"]) }
    // Known to the registry: a line of its own, the deduction taken.
    let pools = try Settlement.run(params: p, totals: totals, adjustments: [phantom], ledger: [], registry: ["H9"])
    let h9 = pools.first { $0.pool == "310" }?.lines.first { $0.key.code == "H9" }
    #expect(h9?.deductionAmt == fen("1000") && h9?.clearingAmt == -fen("1000"))
    // A hospital with prepayments in the ledger but no cases this year is real.
    let ledger = [LedgerLine(pool: "310", fixmedinsCode: "H9", item: "prepaid_amt", amountFen: fen("50"))]
    _ = try Settlement.run(params: p, totals: totals, adjustments: [phantom], ledger: ledger)
  }

  /// A time written as Excel writes it is a data error naming the field, never a case outside the period.
  @Test func excelTimesAreErrorsNotOutsideThePeriod() throws {
    let p = FullYearTests.params()
    let agg = CaseAggregator(params: p, paramsName: "t", period: "2024-05")
    for bad in ["2024/5/28 12:00", "2024-05-28", "2024-02-30 10:00:00"] {
      let line = #"{"fixmedins_code":"H1","insutype":"310","setl_time":"\#(bad)","points":1,"hifp_pay":1}"#
      #expect(throws: FieldError("setl_time", "expected a time yyyy-MM-dd HH:mm:ss, found \"\(bad)\"")) {
        _ = try TestSupport.withRecord(line) { s in try agg.add(s) }
      }
    }
    #expect(agg.outside == 0)
    let other = #"{"fixmedins_code":"H1","insutype":"310","setl_time":"2024-04-30 23:59:59","points":1,"hifp_pay":1}"#
    #expect(try TestSupport.withRecord(other) { s in try agg.add(s) } == false)
    #expect(agg.outside == 1)
  }
}
