import MICore
import Testing

@testable import MIScoring

/// Formulas of DOMAIN.md §2.3–2.5 against hand-computed cases: the worked examples of §9.3 and §9.7, and each
/// variant of the parameter inventory (§8) by name. The arithmetic is in the comments.
@Suite struct ScoreFormulaTests {
  /// Params text with a `[scoring.dip]` body.
  static func params(_ dip: String, extra: String = "") throws -> ScoringParams {
    try ScoringParams.load(try Params(text: "[scoring.dip]\n\(dip)\n\(extra)", name: "test"))
  }

  /// Params text with a `[scoring.drg]` body.
  static func drgParams(_ drg: String) throws -> ScoringParams {
    try ScoringParams.load(try Params(text: "[scoring.drg]\n\(drg)\n", name: "test"))
  }

  /// §9.3: one DIP group with RW 1500.0000 and (optionally) a last-year mean.
  static func dipTable(mean: Int64? = nil) -> WeightTable {
    WeightTable(
      name: "dip-test", scheme: .dip,
      groups: ["K35.8:47.0100": GroupWeight(weight: 15_000_000, lastMeanFen: mean.map { ["": $0] } ?? [:])],
      auxCoefs: ["age-65": 12_000])
  }

  /// §9.3: coefficient 1.05 for level 3, point value 8 (the 结算点值 used to classify).
  static let base93 = """
    point_value = 8
    """
  static let coef93 = """
    [scoring.coef.level]
    "3" = 1.05
    """

  /// Scores a §9.3 case of `yuan` at a level-3 hospital.
  static func score93(
    _ dip: String, yuan: Int64, extra: String = "", table: WeightTable = dipTable(),
    kind: String? = nil, aux: String? = nil, approved: Bool = false, insutype: String? = nil
  ) throws -> CaseScore {
    let p = try params(dip, extra: coef93 + "\n" + extra)
    let s = CaseScorer(table: table, params: p, paramsName: "test")
    return try s.score(
      CaseInput(
        groupCode: "K35.8:47.0100", dipKind: kind, aux: aux, costFen: yuan * 100, level: "3",
        hospital: "H1", insutype: insutype, approved: approved))
  }

  @Test func normalCase93() throws {
    // §9.3 normal: 1500 × 1.05 = 1575.0000; standard 1575 × 8 = 12,600.00; cost 12,600 → ratio 1.0000.
    let r = try Self.score93(Self.base93, yuan: 12_600)
    #expect(r.caseClass == .normal)
    #expect(r.points == 15_750_000)
    #expect(r.weight == 15_000_000)
    #expect(r.coef == 10_500)
    #expect(r.benchmarkFen == 1_260_000)
    #expect(r.costRatio == 10_000)
    #expect(r.rule == "dip:normal")
    #expect(!r.specialCandidate)
  }

  @Test func lowAtCost93() throws {
    // §9.3 low (DIP3 at-cost): cost 5,000 < 0.5 × 12,600 = 6,300 → 1575 × 5000/12600 = 625.0000 (paid 5,000.00 at 8).
    let r = try Self.score93(Self.base93 + "\nlow_formula = \"at-cost\"", yuan: 5_000)
    #expect(r.caseClass == .low)
    #expect(r.points == 6_250_000)
    #expect(r.rule == "dip:low:at-cost")
  }

  @Test func lowClassifiedAtInitialPointValue93() throws {
    // §9.3: classified at the 年初点值 7.837838: standard 1575 × 7.837838 = 12,344.594850 → 12,344.59;
    // score 1575 × 5000 / 12344.59485 = 637.93103… → 637.9310 (no intermediate rounding).
    let r = try Self.score93("point_value = 7.837838", yuan: 5_000)
    #expect(r.caseClass == .low)
    #expect(r.benchmarkFen == 1_234_459)
    #expect(r.points == 6_379_310)
  }

  @Test func lowRatioWithoutCoefficient() throws {
    // DIP20 / 济宁 `ratio` without the coefficient: 1500 × 5000/12600 = 595.238095… → 595.2381.
    let r = try Self.score93(Self.base93 + "\nlow_formula = \"ratio\"", yuan: 5_000)
    #expect(r.caseClass == .low)
    #expect(r.points == 5_952_381)
    #expect(r.coef == 10_000)
    #expect(r.rule == "dip:low:ratio")
    // With coef_on_outliers: 1575 × 5000/12600 = 625.0000.
    let c = try Self.score93(Self.base93 + "\nlow_formula = \"ratio\"\ncoef_on_outliers = true", yuan: 5_000)
    #expect(c.points == 6_250_000)
  }

  @Test func lowComparisonStrictOrInclusive() throws {
    // Cost 6,300 is exactly 0.5 × 12,600: `<` keeps it normal, `≤` makes it low (at cost: 1575 × 0.5 = 787.5).
    let strict = try Self.score93(Self.base93 + "\nlow_cmp = \"<\"", yuan: 6_300)
    #expect(strict.caseClass == .normal)
    let inclusive = try Self.score93(Self.base93 + "\nlow_cmp = \"≤\"", yuan: 6_300)
    #expect(inclusive.caseClass == .low)
    #expect(inclusive.points == 7_875_000)
  }

  @Test func highLinear2020_93() throws {
    // §9.3 high, cost 31,500 = 2.5 × 12,600: DIP20 factor (2.5 − 2) + 1 = 1.5 → 1500 × 1.5 = 2250.0000.
    let r = try Self.score93(Self.base93 + "\nhigh_formula = \"linear-2020\"", yuan: 31_500)
    #expect(r.caseClass == .high)
    #expect(r.costRatio == 25_000)
    #expect(r.points == 22_500_000)
    #expect(r.rule == "dip:high:linear-2020")
    #expect(r.specialCandidate)
  }

  @Test func highLinear2020WithCoefficient93() throws {
    // §9.3 "coefficient on top": 1500 × 1.5 × 1.05 = 2362.5000 (18,900.00 at 8).
    let r = try Self.score93(
      Self.base93 + "\nhigh_formula = \"linear-2020\"\ncoef_on_outliers = true", yuan: 31_500)
    #expect(r.points == 23_625_000)
    #expect(r.coef == 10_500)
  }

  @Test func highAddCoef93() throws {
    // §9.3 济宁 add-coef: 1500 × (2.5 − 2 + 1.05) = 1500 × 1.55 = 2325.0000 (18,600.00 at 8).
    let r = try Self.score93(Self.base93 + "\nhigh_formula = \"add-coef\"", yuan: 31_500)
    #expect(r.points == 23_250_000)
    #expect(r.rule == "dip:high:add-coef")
  }

  @Test func highSpecialReview93() throws {
    // §9.3 "3.0 → 特例单议" and DIP3 p.67: no formula — cost 37,800 (ratio 3.0) keeps 1575.0000, marked candidate.
    let r = try Self.score93(Self.base93, yuan: 37_800)
    #expect(r.caseClass == .high)
    #expect(r.costRatio == 30_000)
    #expect(r.points == 15_750_000)
    #expect(r.rule == "dip:high:special-review")
    #expect(r.specialCandidate)
  }

  @Test func highAtCostAndCap() throws {
    // at-cost: 1575 × 2.5 = 3937.5000. cap (盘锦): 1575 × 2.0 = 3150.0000.
    let a = try Self.score93(Self.base93 + "\nhigh_formula = \"at-cost\"", yuan: 31_500)
    #expect(a.points == 39_375_000)
    let c = try Self.score93(Self.base93 + "\nhigh_formula = \"cap\"", yuan: 31_500)
    #expect(c.points == 31_500_000)
    #expect(c.rule == "dip:high:cap")
  }

  @Test func highComparisonInclusive() throws {
    // Cost 25,200 = exactly 2 × 12,600: `>` keeps it normal, `≥` makes it high (linear-2020: 1500 × 1 = 1500).
    let strict = try Self.score93(Self.base93 + "\nhigh_formula = \"linear-2020\"", yuan: 25_200)
    #expect(strict.caseClass == .normal)
    let inclusive = try Self.score93(
      Self.base93 + "\nhigh_formula = \"linear-2020\"\nhigh_cmp = \"≥\"", yuan: 25_200)
    #expect(inclusive.caseClass == .high)
    #expect(inclusive.points == 15_000_000)
  }

  @Test func extremeCapAndNormal() throws {
    // Cost 63,000 = 5 × 12,600 with high_cap 3: extreme "cap" evaluates linear-2020 at r = 3: 1500 × 2 = 3000.0000.
    let capped = try Self.score93(
      Self.base93 + "\nhigh_formula = \"linear-2020\"\nhigh_cap = 3\nextreme = \"cap\"", yuan: 63_000)
    #expect(capped.points == 30_000_000)
    #expect(capped.rule == "dip:high:linear-2020:capped")
    // 济宁 "normal": r = 5 > 3 keeps the normal 1575.0000 and goes to review.
    let normal = try Self.score93(
      Self.base93 + "\nhigh_formula = \"add-coef\"\nhigh_cap = 3\nextreme = \"normal\"", yuan: 63_000)
    #expect(normal.points == 15_750_000)
    #expect(normal.rule == "dip:high:extreme-normal")
    #expect(normal.specialCandidate)
  }

  @Test func benchmarkLastYearMean() throws {
    // Last year's mean 12,000.00: cost 31,500 → r = 2.625 → linear-2020: 1500 × 1.625 = 2437.5000.
    let r = try Self.score93(
      "benchmark = \"last-year-mean\"\nhigh_formula = \"linear-2020\"", yuan: 31_500,
      table: Self.dipTable(mean: 1_200_000))
    #expect(r.benchmarkFen == 1_200_000)
    #expect(r.costRatio == 26_250)
    #expect(r.points == 24_375_000)
  }

  @Test func benchmarkScoreFactor() throws {
    // 职工 factor 9 yuan/point: benchmark 1500 × 9 = 13,500; cost 31,500 → r = 7/3 → 1500 × (7/3 − 1) = 2000.0000.
    let dip = """
      benchmark = "score-factor"
      high_formula = "linear-2020"
      avg_factor.employee = 9
      avg_factor.resident = 7.5
      """
    let r = try Self.score93(dip, yuan: 31_500, insutype: "310")
    #expect(r.benchmarkFen == 1_350_000)
    #expect(r.costRatio == 23_333)
    #expect(r.points == 20_000_000)
    // 居民 7.5: benchmark 11,250; r = 2.8 → 1500 × 1.8 = 2700.0000.
    let q = try Self.score93(dip, yuan: 31_500, insutype: "390")
    #expect(q.points == 27_000_000)
  }

  @Test func basicGroupHasNoCoefficient() throws {
    // 基层病种 (DIP3 p.48): 1500 × 1.0000 = 1500.0000 whatever the level.
    let r = try Self.score93(Self.base93, yuan: 12_000, kind: "basic")
    #expect(r.coef == 10_000)
    #expect(r.points == 15_000_000)
  }

  @Test func auxiliaryCoefficientFromCatalog() throws {
    // 辅助分型 1.2 from the catalog: 1500 × 1.05 × 1.2 = 1890.0000; coef written 1.2600.
    let r = try Self.score93(Self.base93, yuan: 15_000, aux: "age-65")
    #expect(r.points == 18_900_000)
    #expect(r.coef == 12_600)
    // The params override the catalog: 1.1 → 1500 × 1.05 × 1.1 = 1732.5000.
    let o = try Self.score93(Self.base93, yuan: 15_000, extra: "[scoring.aux_coef]\n\"age-65\" = 1.1", aux: "age-65")
    #expect(o.points == 17_325_000)
  }

  @Test func approvedSpecialIsPaidAtCost() throws {
    // §2.4: approved → special, at cost: 1575 × 31500/12600 = 3937.5000.
    let r = try Self.score93(Self.base93, yuan: 31_500, approved: true)
    #expect(r.caseClass == .special)
    #expect(r.points == 39_375_000)
    #expect(r.rule == "dip:special:approved")
  }

  @Test func ungroupedFactor() throws {
    // Ungrouped: 10,000 ÷ 8 × 0.7 = 875.0000.
    let p = try Self.params(Self.base93)
    let s = CaseScorer(table: Self.dipTable(), params: p, paramsName: "test")
    let r = try s.score(CaseInput(status: "ungroupable", groupCode: nil, costFen: 1_000_000, level: "3"))
    #expect(r.caseClass == .ungrouped)
    #expect(r.points == 8_750_000)
    #expect(r.weight == nil)
    #expect(r.rule == "dip:ungrouped:factor-0.7000")
  }

  @Test func perDiemSegmentsAndCap() throws {
    // Days 1–30 at 60, 31–60 at 50, then 40, cap 90 days. 100 days → 90 paid: 30×60 + 30×50 + 30×40 = 4500.0000.
    // 45 days: 30×60 + 15×50 = 2550.0000. 10 days (< min_los 15): scored by its group, 1575.0000.
    let extra = """
      [scoring.per_diem.rehab]
      departments = ["A21"]
      min_los = 15
      max_days = 90
      daily_points = 40
      [scoring.per_diem.rehab.segments]
      "30" = 60
      "60" = 50
      """
    let p = try Self.params(Self.base93, extra: Self.coef93 + "\n" + extra)
    let s = CaseScorer(table: Self.dipTable(), params: p, paramsName: "test")
    func run(_ days: Int) throws -> CaseScore {
      try s.score(
        CaseInput(groupCode: "K35.8:47.0100", costFen: 1_260_000, level: "3", days: days, department: "A21"))
    }
    let long = try run(100)
    #expect(long.caseClass == .perDiem)
    #expect(long.points == 45_000_000)
    #expect(long.rule == "dip:per-diem:rehab:capped-90d")
    #expect(try run(45).points == 25_500_000)
    #expect(try run(10).caseClass == .normal)
    #expect(try run(10).points == 15_750_000)
  }

  /// §9.7: DRG RW 2.0, 尺度 100, coefficient 1, point value 90 (全市次均 9,000 per RW), DRGX bands.
  static let drg97 = """
    point_value = 90
    points_per_weight = 100
    high_bands = [
      { below = 1, threshold = 3 },
      { below = 2, threshold = 2.5 },
      { below = 3, threshold = 2 },
      { below = 5, threshold = 1.5 },
      { threshold = 1.3 },
    ]
    """

  static func score97(_ formula: String, yuan: Int64) throws -> CaseScore {
    let p = try drgParams(drg97 + "\nhigh_formula = \"\(formula)\"")
    let t = WeightTable(name: "drg-w", scheme: .drg, groups: ["GB19": GroupWeight(weight: 20_000)])
    return try CaseScorer(table: t, params: p, paramsName: "test").score(
      CaseInput(groupCode: "GB19", costFen: yuan * 100, level: "3"))
  }

  @Test func drgLinearAdd97() throws {
    // §9.7: base 2.0 × 100 = 200 points; standard 200 × 90 = 18,000; cost 45,000 → r 2.5 > K 2 (band "<3").
    // LinearAdd = add-coef: 200 + (2.5 − 2) × 2.0 × 100 = 300.0000 (27,000.00 at 90).
    let r = try Self.score97("add-coef", yuan: 45_000)
    #expect(r.caseClass == .high)
    #expect(r.benchmarkFen == 1_800_000)
    #expect(r.points == 3_000_000)
    #expect(r.rule == "drg:high:add-coef")
  }

  @Test func drgDeduct97() throws {
    // §9.7 Deduct (周口): (45000/9000 − (2 − 1) × 2.0 × 1.0) × 100 = 300.0000.
    let r = try Self.score97("deduct", yuan: 45_000)
    #expect(r.points == 3_000_000)
    #expect(r.rule == "drg:high:deduct")
  }

  @Test func drgDefaultBandsAndLow() throws {
    // Default 浙江 bands: RW 2.0 is in "≤ 2" → K 2; cost 36,000 is exactly 2× → normal (`>`), 200.0000.
    let p = try Self.drgParams("point_value = 90\npoints_per_weight = 100")
    let t = WeightTable(name: "drg-w", scheme: .drg, groups: ["GB19": GroupWeight(weight: 20_000)])
    let s = CaseScorer(table: t, params: p, paramsName: "test")
    let n = try s.score(CaseInput(groupCode: "GB19", costFen: 3_600_000, level: "3"))
    #expect(n.caseClass == .normal)
    #expect(n.points == 2_000_000)
    // Low below 0.4 × 18,000 = 7,200: cost 5,400 at cost → 200 × 5400/18000 = 60.0000.
    let l = try s.score(CaseInput(groupCode: "GB19", costFen: 540_000, level: "3"))
    #expect(l.caseClass == .low)
    #expect(l.points == 600_000)
  }

  @Test func badCasesNameTheField() throws {
    let p = try Self.params(Self.base93, extra: Self.coef93)
    let s = CaseScorer(table: Self.dipTable(), params: p, paramsName: "test")
    #expect(throws: FieldError("group_code", "'X99' is not in DIP catalog 'dip-test'")) {
      try s.score(CaseInput(groupCode: "X99", costFen: 100, level: "3"))
    }
    #expect(throws: FieldError("hosp_lv", "missing (give it in the record or name a registry with --hospitals)")) {
      try s.score(CaseInput(groupCode: "K35.8:47.0100", costFen: 100))
    }
    #expect(throws: FieldError("dip_aux", "no coefficient for subtype 'zz' in catalog 'dip-test' or params 'test'")) {
      try s.score(CaseInput(groupCode: "K35.8:47.0100", aux: "zz", costFen: 100, level: "3"))
    }
  }

  @Test func fixedTextMatchesMICore() {
    // The in-place formatter of the record path writes what Fixed.appendRaw writes.
    for raw: Int64 in [0, 1, 9, 10, 99, 100, 12_345, 15_750_000, -5, -12_345, Int64.max, Int64.min + 1] {
      for scale in [0, 2, 4] {
        var a: [UInt8] = []
        var b: [UInt8] = []
        Fixed.appendRaw(raw, scale: scale, to: &a)
        JSONText.fixed(raw, scale: scale, &b)
        #expect(a == b, "\(raw) scale \(scale)")
      }
    }
  }

  @Test func exactArithmetic() throws {
    // Rounding half away from zero once at the end: 1/8 → 0.1250 at scale 4; −1/8 → −0.1250; 1/3 → 0.3333.
    #expect(try Exact(1, 8).rounded(scale: 4) == 1_250)
    #expect(try Exact(-1, 8).rounded(scale: 4) == -1_250)
    #expect(try Exact(2, 3).rounded(scale: 4) == 6_667)
    #expect(try Exact(1, 20_000).rounded(scale: 4) == 1)
    #expect(try Exact(3, 7).times(Exact(7, 3)).rounded(scale: 0) == 1)
  }
}
