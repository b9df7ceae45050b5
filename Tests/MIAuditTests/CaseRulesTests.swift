import Foundation
import MICore
import Testing

@testable import MIAudit

/// The day number of a calendar date (H. Hinnant's days-from-civil), for building cases by hand.
private func dayNumber(_ y: Int, _ m: Int, _ d: Int) -> Int {
  let yy = m <= 2 ? y - 1 : y
  let era = (yy >= 0 ? yy : yy - 399) / 400
  let yoe = yy - era * 400
  let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
  let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
  return era * 146_097 + doe - 719_468
}

/// Seconds of `yyyy-MM-dd` at `hour`:00.
private func at(_ date: String, _ hour: Int = 8) -> Int64 {
  let p = date.split(separator: "-").map { Int($0)! }
  return Int64(dayNumber(p[0], p[1], p[2])) * 86400 + Int64(hour) * 3600
}

/// Fen from yuan text.
private func fen(_ s: String) -> Int64 { Money.parse(s)! }

/// A rule spec of `type` with parameters given as TOML-like values.
private func spec(_ type: String, _ params: [String: RuleValue] = [:], amt: AmountMode = .none) -> RuleSpec {
  var s = RuleSpec(index: 0, id: "T", type: type, name: "测试", sevDeg: "可疑", amtMode: amt)
  s.params = params
  return s
}

/// Runs the case rule of `spec` over `cases` (and `previous`) and returns its findings in output order.
private func run(_ s: RuleSpec, _ cases: [AuditCase], previous: [AuditCase]? = nil) throws -> [Finding] {
  guard case .cases(_, let rule) = try Registry.build(s, RuleContext(knowledge: nil)) else {
    Issue.record("not a case rule")
    return []
  }
  var out: [Finding] = []
  try rule.run(CaseTable(cases: cases, previous: previous), into: &out)
  return out.sorted(by: Finding.ordered)
}

/// Builds cases in input order.
private struct Cases {
  var list: [AuditCase] = []

  /// An inpatient stay from `adm` to `dscg` (dates), with its fund amount.
  @discardableResult
  mutating func stay(
    _ id: String, psn: String = "P1", site: String = "H1", _ adm: String, _ dscg: String, fund: String = "0",
    medfee: String = "1000", dx: [String] = ["K80.100"]
  ) -> Int {
    var c = AuditCase(seq: list.count, setlID: id, medfeeSumamt: fen(medfee))
    c.psnNo = psn
    c.fixmedinsCode = site
    c.medType = "21"
    c.isInpatient = true
    c.admTime = at(adm)
    c.dscgTime = at(dscg, 10)
    c.setlTime = at(dscg, 11)
    c.fundPaySumamt = fen(fund)
    c.diagCodes = dx
    list.append(c)
    return list.count - 1
  }

  /// An outpatient settlement on `date`.
  @discardableResult
  mutating func visit(
    _ id: String, psn: String = "P1", site: String = "H1", _ date: String, fund: String = "0", medfee: String = "50"
  ) -> Int {
    var c = AuditCase(seq: list.count, setlID: id, medfeeSumamt: fen(medfee))
    c.psnNo = psn
    c.fixmedinsCode = site
    c.medType = "11"
    c.setlTime = at(date, 9)
    c.fundPaySumamt = fen(fund)
    list.append(c)
    return list.count - 1
  }

  /// An inpatient case with only an institution and amounts (provider indicators).
  @discardableResult
  mutating func amounts(
    _ id: String, site: String = "H1", psn: String? = nil, medfee: String, inpatient: Bool = true,
    configure: (inout AuditCase) -> Void = { _ in }
  ) -> Int {
    var c = AuditCase(seq: list.count, setlID: id, medfeeSumamt: fen(medfee))
    c.fixmedinsCode = site
    c.psnNo = psn
    c.medType = inpatient ? "21" : "11"
    c.isInpatient = inpatient
    configure(&c)
    list.append(c)
    return list.count - 1
  }
}

@Suite struct CaseSupportTests {
  /// Day numbers: 1970-01-01 is day 0; 2024-01-01 is 54×365 + 13 leap days (1972…2020) = 19,723; 2024-02-29 is
  /// 19,723 + 31 + 28 = 19,782; day −1 is 1969-12-31.
  @Test func dates() {
    #expect(CaseDay.date(0) == "1970-01-01")
    #expect(CaseDay.date(19723) == "2024-01-01")
    #expect(CaseDay.date(19782) == "2024-02-29")
    #expect(CaseDay.date(-1) == "1969-12-31")
    #expect(CaseDay.of(-1) == -1)
    #expect(CaseDay.of(at("2024-03-01", 23)) == dayNumber(2024, 3, 1))
  }

  /// Exact ratios: 600/1000 against 0.60 is equal (no rounding before comparing); 59990/100000 is below;
  /// growth 1200.01/1000 − 1 = 0.20001 is above 0.20; 2/3 to 4 decimals is 0.6667 (half-up from 0.66666…).
  @Test func exactRatios() {
    #expect(ExactRatio.compare(600, 1000, Fixed("0.60", scale: 4)!) == 0)
    #expect(ExactRatio.compare(59990, 100_000, Fixed("0.60", scale: 4)!) == -1)
    #expect(ExactRatio.compareGrowth(120_001, 100_000, Fixed("0.20", scale: 4)!) == 1)
    #expect(ExactRatio.compareGrowth(120_000, 100_000, Fixed("0.20", scale: 4)!) == 0)
    #expect(ExactRatio.quotient(2, 3).description == "0.6667")
    #expect(ExactRatio.quotient(-2, 3).description == "-0.6667")
    #expect(ExactRatio.rounded(5, 2) == 3)
  }
}

@Suite struct PersonRuleTests {
  /// D02: a stay from 03-01 to 03-10; outpatient settlements on 03-01 (admission day), 03-05 and 03-10 (discharge
  /// day): only 03-05 lies strictly between, charged its fund_pay_sumamt 80.00.
  @Test func outpatientDuringStay() throws {
    var c = Cases()
    c.stay("I1", "2024-03-01", "2024-03-10", fund: "3500")
    c.visit("O1", "2024-03-01", fund: "10")
    c.visit("O2", site: "H2", "2024-03-05", fund: "80")
    c.visit("O3", "2024-03-10", fund: "20")
    c.visit("O4", psn: "P2", "2024-03-05", fund: "30")
    let f = try run(spec("outpatient-during-stay", amt: .line), c.list)
    #expect(f.map(\.key) == ["O2"])
    #expect(f[0].volaAmt == fen("80"))
    #expect(f[0].occurDate == "2024-03-05")
    #expect(f[0].fixmedinsCode == "H2")
    // amount = "hifp" charges hifp_pay (absent here: 0); amount = "none" makes a lead whatever amt_mode says.
    let none = try run(spec("outpatient-during-stay", ["amount": .string("none")], amt: .line), c.list)
    #expect(none[0].amtMode == .none && none[0].volaAmt == 0)
    // A whitelisted med_type prefix is never flagged.
    let exempt = try run(
      spec("outpatient-during-stay", ["exempt_med_types": .array([.string("11")])], amt: .line), c.list)
    #expect(exempt.isEmpty)
  }

  /// D03 nights shared = min(discharge days) − later admission day: [1, 10] and [9, 15] share 10 − 9 = 1 night;
  /// [1, 10] and [10, 15] share 0. With [1, 20], [5, 8], [7, 12]: [5, 8] shares min(20, 8) − 5 = 3 nights with
  /// [1, 20]; [7, 12] shares min(20, 12) − 7 = 5 with [1, 20] (the stay reaching furthest), not 1 with [5, 8].
  @Test func overlapNights() {
    let a = OverlappingStays.overlaps(
      [Stay(index: 0, adm: 1, dscg: 10), Stay(index: 1, adm: 9, dscg: 15)], minNights: 1)
    #expect(a.map { $0.2 } == [1])
    let b = OverlappingStays.overlaps(
      [Stay(index: 0, adm: 1, dscg: 10), Stay(index: 1, adm: 10, dscg: 15)], minNights: 1)
    #expect(b.isEmpty)
    let c = OverlappingStays.overlaps(
      [Stay(index: 0, adm: 1, dscg: 20), Stay(index: 1, adm: 5, dscg: 8), Stay(index: 2, adm: 7, dscg: 12)],
      minNights: 1)
    #expect(c.map { [$0.0.index, $0.1.index, $0.2] } == [[1, 0, 3], [2, 0, 5]])
  }

  /// D03 end to end: the later stay of the overlapping pair is flagged with its fund amount 1200.00.
  @Test func overlappingStays() throws {
    var c = Cases()
    c.stay("I2", site: "H2", "2024-03-09", "2024-03-15", fund: "1200")
    c.stay("I1", "2024-03-01", "2024-03-10", fund: "3500")
    c.stay("I3", psn: "P2", "2024-03-10", "2024-03-12", fund: "900")
    c.stay("I4", psn: "P2", "2024-03-12", "2024-03-14", fund: "900")
    let f = try run(spec("overlapping-stays", amt: .line), c.list)
    #expect(f.map(\.key) == ["I2"])
    #expect(f[0].volaAmt == fen("1200"))
  }

  /// D05 window 15: discharged 03-10, readmitted 03-25 → gap 25 − 10 = 15 ≤ 15 fires; readmitted 03-26 → 16 does
  /// not; a Z51.1 readmission 3 days later is planned and left out; another institution is not a readmission.
  @Test func readmissionBoundary() throws {
    var c = Cases()
    c.stay("A1", "2024-03-01", "2024-03-10")
    c.stay("A2", "2024-03-25", "2024-03-30")
    c.stay("B1", psn: "P2", "2024-03-01", "2024-03-10")
    c.stay("B2", psn: "P2", "2024-03-26", "2024-03-30")
    c.stay("C1", psn: "P3", "2024-03-01", "2024-03-05")
    c.stay("C2", psn: "P3", "2024-03-08", "2024-03-09", dx: ["Z51.100", "C18.900"])
    c.stay("D1", psn: "P4", "2024-03-01", "2024-03-05")
    c.stay("D2", psn: "P4", site: "H2", "2024-03-06", "2024-03-09")
    let f = try run(spec("readmission"), c.list)
    #expect(f.map(\.key) == ["A2"])
    #expect(f[0].amtMode == .none)
    #expect(f[0].volaCont.contains("后15天再次入院"))
    // With the window at 16 days, B2 fires too; with same_group, cases without a group_code never do.
    #expect(try run(spec("readmission", ["window_days": .number("16")]), c.list).map(\.key) == ["A2", "B2"])
    #expect(try run(spec("readmission", ["same_group": .bool(true)]), c.list).isEmpty)
  }

  /// D05 measures from the discharge that came last: stays [1, 20] and [5, 8] at one institution, then an
  /// admission on day 22 → 22 − 20 = 2 days after the long stay (not 22 − 8 = 14 after the short one). An admission
  /// on day 19, inside the long stay, is an overlap (D03's), not a readmission.
  @Test func readmissionAfterLastDischarge() {
    let cases = (0..<4).map { i -> AuditCase in
      var c = AuditCase(seq: i, setlID: "S\(i)")
      c.fixmedinsCode = "H1"
      return c
    }
    let stays = [
      Stay(index: 0, adm: 1, dscg: 20), Stay(index: 1, adm: 5, dscg: 8), Stay(index: 2, adm: 19, dscg: 21),
      Stay(index: 3, adm: 23, dscg: 24),
    ]
    let pairs = Readmission.readmissions(stays, cases: cases, windowDays: 15)
    // S1 (day 5) and S2 (day 19) start inside S0; S3 starts 23 − 21 = 2 days after S2, the last discharge.
    #expect(pairs.map { [$0.0.index, $0.1.index] } == [[2, 3]])
  }

  /// D06 busiest window over sorted admission days with 365 calendar days: 2024-01-05 (day 0), 04-01 (+87),
  /// 08-01 (+209), 2025-01-03 (+364: 2024 has 366 days, so 2025-01-05 is +366) → 4 within 365 days. With the last
  /// on 2025-01-04 (+365) it falls outside the first admission's window: at most 3.
  @Test func frequentAdmissionWindow() throws {
    #expect(FrequentAdmission.busiest([0, 87, 209, 364], windowDays: 365)! == (0, 3))
    #expect(FrequentAdmission.busiest([0, 87, 209, 365], windowDays: 365)! == (0, 2))
    var c = Cases()
    for (i, d) in ["2024-01-05", "2024-04-01", "2024-08-01", "2025-01-03"].enumerated() {
      c.stay("I\(i)", d, d)
    }
    let f = try run(spec("frequent-admission"), c.list)
    #expect(f.map(\.key) == ["P1"])
    #expect(f[0].metric == "4" && f[0].threshold == "4")
    #expect(f[0].occurDate == "2025-01-03")
  }

  /// D06O: 10 outpatient settlements between 03-01 and 03-30 (29 days apart, within 30) fire; moving the 10th to
  /// 03-31 (30 days after the first) leaves 9 in any 30 days.
  @Test func frequentVisits() throws {
    let days = ["01", "04", "07", "10", "13", "16", "19", "22", "25"]
    var c = Cases()
    for (i, d) in days.enumerated() { c.visit("O\(i)", "2024-03-\(d)") }
    var late = c
    c.visit("O9", "2024-03-30")
    late.visit("O9", "2024-03-31")
    let s = spec("frequent-admission", ["setting": .string("outpatient")])
    #expect(try run(s, c.list).count == 1)
    #expect(try run(s, late.list).isEmpty)
  }
}

@Suite struct CaseCheckTests {
  /// D07: 3 days, no procedure, 检查 400.00 + 化验 200.00 = 600.00 of 1000.00 = 0.60 ≥ 0.60 → fund 700.00; the
  /// same case 4 days long does not fire, nor one whose share is 599.90/1000.00 = 0.5999.
  @Test func lowStandardAdmission() throws {
    func make(_ id: String, days: Int, lab: String, oprn: [String] = []) -> AuditCase {
      var c = AuditCase(seq: 0, setlID: id, medfeeSumamt: fen("1000"))
      c.isInpatient = true
      c.actIptDays = days
      c.fundPaySumamt = fen("700")
      c.oprnCodes = oprn
      c.itemAmts = ["03": fen("400"), "04": fen(lab)]
      return c
    }
    let s = spec("low-standard-admission", amt: .line)
    let hit = try run(s, [make("A", days: 3, lab: "200")])
    #expect(hit.count == 1 && hit[0].volaAmt == fen("700") && hit[0].metric == "0.6000")
    #expect(try run(s, [make("B", days: 4, lab: "200")]).isEmpty)
    #expect(try run(s, [make("C", days: 3, lab: "199.90")]).isEmpty)
    #expect(try run(s, [make("D", days: 3, lab: "200", oprn: ["47.0900"])]).isEmpty)
    // A principal diagnosis on the 门诊可治 list fires whatever the length of stay.
    var e = make("E", days: 9, lab: "0")
    e.diagCodes = ["J06.900"]
    #expect(try run(spec("low-standard-admission", ["outpatient_dx": .array([.string("J06")])]), [e]).count == 1)
  }

  /// E05: problems listed in a fixed order; codes compared without spaces and case.
  @Test func listQuality() {
    let vy = ["V", "W", "X", "Y"]
    #expect(ListQuality.problems([], notPrincipal: vy) == ["缺少主要诊断"])
    #expect(ListQuality.problems(["K35.800", " k35.800"], notPrincipal: vy) == ["主要诊断K35.800在其他诊断中重复"])
    #expect(ListQuality.problems(["W19.x00", "S72.000"], notPrincipal: vy).count == 1)
    #expect(ListQuality.problems(["x59.900", "X59.900"], notPrincipal: vy).count == 2)
    #expect(ListQuality.problems(["S72.000", "W19.x00"], notPrincipal: vy).isEmpty)
  }

  /// F01: high always; low only with LOS ≤ 2 and alive.
  @Test func costOutlier() throws {
    func make(_ id: String, _ cls: String, days: Int, way: String = "1") -> AuditCase {
      var c = AuditCase(seq: 0, setlID: id, medfeeSumamt: fen("800"))
      c.caseClass = cls
      c.actIptDays = days
      c.dscgWay = way
      return c
    }
    let cases = [
      make("A", "high", days: 30), make("B", "low", days: 2), make("C", "low", days: 3),
      make("D", "low", days: 1, way: "5"), make("E", "normal", days: 1),
    ]
    #expect(try run(spec("cost-outlier"), cases).map(\.key) == ["A", "B"])
    #expect(try run(spec("cost-outlier", ["include_low": .bool(false)]), cases).map(\.key) == ["A"])
  }

  /// H05: group ES31 with 100 + 100 + 100 + 900 = 1200.00 over 4 → mean 300.00; 900 × 4 = 3600 ≥ 3 × 1200 = 3600
  /// fires (ratio 3.0000). With 899.00 instead: 899 × 4 = 3596 < 3 × 1199 = 3597, no finding. `absolute` 500.00
  /// flags the 899.00 case as well.
  @Test func highCostCase() throws {
    func group(_ last: String) -> [AuditCase] {
      var c = Cases()
      for (i, m) in ["100", "100", "100", last].enumerated() {
        c.amounts("I\(i)", medfee: m) { $0.groupCode = "ES31" }
      }
      return c.list
    }
    let f = try run(spec("high-cost-case"), group("900"))
    #expect(f.map(\.key) == ["I3"])
    #expect(f[0].metric == "3.0000" && f[0].threshold == "3.0000")
    #expect(try run(spec("high-cost-case"), group("899")).isEmpty)
    #expect(try run(spec("high-cost-case", ["absolute": .string("500.00")]), group("899")).map(\.key) == ["I3"])
  }
}

@Suite struct ProviderRuleTests {
  /// F03 CMI growth: this period Σw = 1.2000 + 1.1000 (raw 23,000) over 2, last period 20,000 over 2:
  /// (23,000·2 − 20,000·2)/(20,000·2) = 6,000/40,000 = 0.15 > 0.10. At Σw 22,000 the growth is exactly 0.10.
  @Test func cmiGrowth() {
    let g = Fixed("0.10", scale: 4)!
    typealias T = UpcodingIndicator.Totals
    let up = UpcodingIndicator.cmiGrowth(current: T(n: 2, sum: 23000), previous: T(n: 2, sum: 20000), limit: g)!
    #expect(up.sign == 1 && up.growth.description == "0.1500")
    let edge = UpcodingIndicator.cmiGrowth(current: T(n: 2, sum: 22000), previous: T(n: 2, sum: 20000), limit: g)!
    #expect(edge.sign == 0)
    // MCC share 3/10 against 1/4: (3·4 − 1·10)/(10·4) = 2/40 = 0.05, exactly the limit.
    let share = UpcodingIndicator.shareRise(
      current: T(n: 10, sum: 3), previous: T(n: 4, sum: 1), limit: Fixed("0.05", scale: 4)!)!
    #expect(share.sign == 0 && share.rise.description == "0.0500")
  }

  /// F03 end to end: only an institution present in --previous is judged; without --previous nothing is.
  @Test func upcodingRun() throws {
    var now = Cases()
    now.amounts("I1", medfee: "9000") { $0.weight = Fixed("1.2", scale: 4) }
    now.amounts("I2", medfee: "8000") { $0.weight = Fixed("1.1", scale: 4) }
    now.amounts("I3", site: "H2", medfee: "8000") { $0.weight = Fixed("3", scale: 4) }
    var before = Cases()
    before.amounts("J1", medfee: "9000") { $0.weight = Fixed("1", scale: 4) }
    before.amounts("J2", medfee: "9000") { $0.weight = Fixed("1", scale: 4) }
    let f = try run(spec("upcoding-indicator"), now.list, previous: before.list)
    #expect(f.map(\.key) == ["H1"] && f[0].metric == "0.1500" && f[0].threshold == "0.1000")
    #expect(try run(spec("upcoding-indicator"), now.list).isEmpty)
  }

  /// Ratios: 自费 (61 + 40)/(600 + 400) = 0.101 > 0.10 fires, (60 + 40)/1000 = 0.10 does not; 药占比 301/1000 =
  /// 0.301 > 0.30; 门诊住院比 4/1 = 4 < 5 fires and 5/1 does not; 人次人头比 3/2 = 1.5 > 1.2, 6/5 = 1.2 does not.
  @Test func ratios() throws {
    func selfPay(_ first: String) -> [AuditCase] {
      var c = Cases()
      c.amounts("I1", medfee: "600") { $0.fulamtOwnpayAmt = fen(first) }
      c.amounts("I2", medfee: "400") { $0.fulamtOwnpayAmt = fen("40") }
      return c.list
    }
    let sp = try run(spec("ratio"), selfPay("61"))
    #expect(sp.map(\.key) == ["H1"] && sp[0].metric == "0.1010" && sp[0].threshold == "0.1000")
    #expect(try run(spec("ratio"), selfPay("60")).isEmpty)

    var drug = Cases()
    drug.amounts("I1", medfee: "1000") { $0.itemAmts = ["09": fen("200"), "11": fen("101")] }
    #expect(try run(spec("ratio", ["metric": .string("drug_share")]), drug.list).count == 1)

    var op = Cases()
    op.amounts("I1", medfee: "3000")
    for i in 1...4 { op.amounts("O\(i)", medfee: "50", inpatient: false) }
    let oi = spec("ratio", ["metric": .string("outpatient_inpatient")])
    #expect(try run(oi, op.list).map(\.metric) == ["4.0000"])
    op.amounts("O5", medfee: "50", inpatient: false)
    #expect(try run(oi, op.list).isEmpty)

    var pp = Cases()
    for (i, p) in ["P1", "P1", "P2"].enumerated() { pp.amounts("I\(i)", psn: p, medfee: "3000") }
    let vp = spec("ratio", ["metric": .string("visits_per_person")])
    #expect(try run(vp, pp.list).map(\.metric) == ["1.5000"])
    for (i, p) in ["P3", "P4", "P5"].enumerated() { pp.amounts("J\(i)", psn: p, medfee: "3000") }
    #expect(try run(vp, pp.list).isEmpty)
  }

  /// G01 formulas. 定额 from last period: (900.00 + 1100.00)/2 × 1.10 = 1100.00 (110,000 fen); this period
  /// 1200.00 + 1100.00 over 2 → S − Q·n = 230,000 − 220,000 = 10,000 fen (100.00). Half-up: S₀ = 5 fen, n₀ = 2,
  /// g = 0 → 2.5 → 3 fen. Visits cap ⌊5 × 1.10⌋ = ⌊5.5⌋ = 5; 6 visits costing 3600.00 → (6 − 5) × 360,000/6 =
  /// 60,000 fen; 4 visits of 50 fen in all over a cap of 1 → 3 × 50/4 = 37.5 → 38 fen.
  @Test func dualControlFormulas() {
    typealias T = DualControl.Totals
    let g = Fixed("0.10", scale: 4)!
    #expect(DualControl.quota(previous: T(n: 2, sum: 200_000), growth: g) == 110_000)
    #expect(DualControl.quota(previous: T(n: 2, sum: 5), growth: Fixed(raw: 0, scale: 4)) == 3)
    #expect(DualControl.costExcess(T(n: 2, sum: 230_000), quota: 110_000) == 10_000)
    #expect(DualControl.costExcess(T(n: 2, sum: 220_000), quota: 110_000) == nil)
    #expect(DualControl.visitsCap(base: 5, growth: g) == 5)
    #expect(DualControl.visitsCap(base: 10, growth: g) == 11)
    #expect(DualControl.volumeExcess(T(n: 6, sum: 360_000), cap: 5) == 60_000)
    #expect(DualControl.volumeExcess(T(n: 4, sum: 50), cap: 1) == 38)
    #expect(DualControl.volumeExcess(T(n: 5, sum: 300_000), cap: 5) == nil)
  }

  /// G01 with a caps file: H1's 定额 1000.00 and visits cap 2 × 1.10 → 2; H2 is not in the file and there is no
  /// --previous, so it is not judged. Cost: 3 visits of 1100.00 → 3300.00 − 3 × 1000.00 = 300.00. Volume: (3 − 2)
  /// × 3300.00/3 = 1100.00.
  @Test func dualControlCaps() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("case-caps-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("caps.ndjson")
    try Data("{\"fixmedins_code\":\"H1\",\"avg_cost_cap\":1000.00,\"visits_cap\":2}\n".utf8).write(to: file)
    var c = Cases()
    for i in 1...3 { c.amounts("I\(i)", medfee: "1100") }
    c.amounts("K1", site: "H2", medfee: "99999")
    var cost = spec("dual-control", ["caps": .string("caps.ndjson")], amt: .excess)
    cost.baseDirectory = dir.path
    let f = try run(cost, c.list)
    #expect(f.map(\.key) == ["H1"] && f[0].volaAmt == fen("300") && f[0].threshold == "1000.00")
    var volume = spec("dual-control", ["caps": .string("caps.ndjson"), "check": .string("volume")], amt: .excess)
    volume.baseDirectory = dir.path
    let v = try run(volume, c.list)
    #expect(v.map(\.volaAmt) == [fen("1100")] && v[0].threshold == "2")
    // A caps file naming an institution twice is bad data, with its file and line.
    try Data("{\"fixmedins_code\":\"H1\"}\n{\"fixmedins_code\":\"H1\"}\n".utf8).write(to: file)
    let e = #expect(throws: MIError.self) { try run(cost, c.list) }
    #expect(e?.message.hasSuffix("caps.ndjson:2: field \"fixmedins_code\": institution H1 listed twice") == true)
  }

  /// H04: 5 settlements last period, 7 now → (7 − 5)/5 = 0.40 > 0.20; 6 now → exactly 0.20, no finding. Cost:
  /// 1000.00 → 1200.01 is 0.20001 > 0.20.
  @Test func growth() throws {
    var before = Cases()
    for i in 1...5 { before.amounts("T\(i)", medfee: "200") }
    var now = Cases()
    for i in 1...6 { now.amounts("S\(i)", medfee: "200") }
    #expect(try run(spec("growth"), now.list, previous: before.list).isEmpty)
    now.amounts("S7", medfee: "0.01", inpatient: false)
    let f = try run(spec("growth"), now.list, previous: before.list)
    #expect(f.map(\.metric) == ["0.4000"])
    // Cost: 6 × 200.00 + 0.01 = 1200.01 against 5 × 200.00 = 1000.00.
    let c = try run(spec("growth", ["measure": .string("cost")]), now.list, previous: before.list)
    #expect(c.map(\.metric) == ["0.2000"] && c[0].occurDate == nil)
  }

  /// A key a type does not read is refused, naming the rule and the key.
  @Test func unknownKey() {
    #expect(throws: MIError.self) { try run(spec("readmission", ["windows_days": .number("15")]), []) }
  }
}
