import Foundation
import MICore
import MIGrouping
import MITestSupport
import Testing

@testable import MIScoring

/// Issue 12: where DIP derivation, grouping and scoring disagreed with their own specification. One test (or
/// more) per item; each failed before its fix.
@Suite struct Issue12Tests {
  /// Item 1: an operation-class entry shorter than 4 characters (`29  手术`) classes the codes it prefixes.
  @Test func shortProcClassPrefixes() throws {
    var classes = ProcClassTable()
    _ = classes.add(code: "29", rawClass: "手术")
    _ = classes.add(code: "29.3", rawClass: "诊断性操作")
    _ = classes.add(code: "8", rawClass: "治疗性操作")
    #expect(classes.classOf("29.3300") == .diagnostic)
    #expect(classes.classOf("29.1100") == .surgery)
    #expect(classes.classOf("88.7100") == .therapeutic)
    #expect(classes.classOf("47.0100") == nil)
    #expect(classes.countsByRawClass.map { "\($0.0) \($0.1)" } == ["手术 1", "治疗性操作 1", "诊断性操作 1"])
    // Derivation: K35.800 with 29.1100 in too few cases for a core group goes to 相关手术组 K35_S, not K35_M.
    var lines = (0..<15).map { _ in DeriveTests.line(2023, "K35.800", ["47.0100"], 10_000) }
    lines += (0..<5).map { _ in DeriveTests.line(2023, "K35.800", ["29.1100"], 8_000) }
    let r = try DeriveTests.derive(lines) {
      $0.yearWeights = [1]
      $0.procClasses = classes
    }
    #expect(r.groups.map(\.code) == ["K35.8_47.0100", "K35_S"])
    let g = DIPGrouper(catalog: r.catalog(name: "t", scale: 1000, procClasses: classes))
    #expect(g.group(dx: ["K35.800"], ops: ["29.1100"]).group?.code == "K35_S")
  }

  /// Item 2: the related-operation uplift is "at least 10%", compared exactly: 10,999.99 over 10,000.00 is
  /// +9.9999% (no split), 11,000.00 is +10% (split).
  @Test(arguments: [(Int64(1_099_999), false), (Int64(1_100_000), true)])
  func upliftBoundary(fen: Int64, splits: Bool) throws {
    func line(_ ops: [String], _ fen: Int64) -> String {
      let o = ops.map { "\"\($0)\"" }.joined(separator: ",")
      let amount = "\(fen / 100).\(String(format: "%02d", fen % 100))"
      return
        #"{"setl_time":"2023-06-30","hosp_lv":"2","diag_codes":["K35.800"],"oprn_codes":[\#(o)],"medfee_sumamt":\#(amount)}"#
    }
    var lines = (0..<40).map { _ in line(["47.0100"], 1_000_000) }
    lines += (0..<20).map { _ in line(["47.0100", "54.2100"], fen) }
    let r = try DeriveTests.derive(lines) {
      $0.yearWeights = [1]
      $0.trim = .none
    }
    if splits {
      #expect(r.groups.map(\.code) == ["K35.8_47.0100", "K35.8_47.0100+54.2100"])
      #expect(r.groups[1].relatedUplift == 1_000)
    } else {
      #expect(r.groups.map(\.code) == ["K35.8_47.0100"])
    }
  }

  /// Item 3: `mean_amt` is rounded once. Yearly sums 6,833,336 / 12, 14,498,484 / 24 and 15,706,180 / 21 fen
  /// under 1:2:7 give m = 701,304.4999998 fen → 7,013.04 yuan (rounding the mean to 10⁻⁶ fen first gave
  /// 701,304.500000 → 7,013.05).
  @Test func meanAmountRoundedOnce() throws {
    func year(_ y: Int, _ n: Int, _ total: Int64) -> [String] {
      let each = total / Int64(n)
      var fens = [Int64](repeating: each, count: n - 1)
      fens.append(total - each * Int64(n - 1))
      return fens.map { f in
        #"{"setl_time":"\#(y)-06-30","diag_codes":["K35.800"],"oprn_codes":[],"medfee_sumamt":\#(f / 100).\#(String(format: "%02d", f % 100))}"#
      }
    }
    let lines = year(2021, 12, 6_833_336) + year(2022, 24, 14_498_484) + year(2023, 21, 15_706_180)
    let r = try DeriveTests.derive(lines) { $0.trim = .none }
    #expect(r.groups.map(\.code) == ["K35.8_C"])
    #expect(r.groups[0].group.meanFen == 701_304)
    // The one group is the pool: 分值 = m / M × 1000 = 1000.0000 exactly.
    #expect(r.groups[0].group.score == 10_000_000)
  }

  /// Item 4: an empty operation code is no operation in derivation and in grouping alike.
  @Test func emptyOperationIsNoOperation() throws {
    let lines = (0..<15).map { _ in DeriveTests.line(2023, "Q00.500", [""], 5_000) }
    let r = try DeriveTests.derive(lines) { $0.yearWeights = [1] }
    #expect(r.groups.map(\.code) == ["Q00.5_C"])
    let g = DIPGrouper(catalog: r.catalog(name: "t", scale: 1000, procClasses: ProcClassTable()))
    let one = g.group(dx: ["Q00.500"], ops: [""])
    #expect(one.status == "grouped" && one.group?.code == "Q00.5_C" && one.reason == "conservative")
    #expect(g.group(dx: ["Q00.500"], ops: ["  "]).group?.code == "Q00.5_C")
  }

  /// Item 6: `--trim mean±2.5sd` is accepted (K a decimal); K must be positive.
  @Test func trimWithDecimalK() throws {
    let t = try Trim(parsing: "mean±2.5sd")
    #expect(t == .sigma(Fixed(raw: 250, scale: 2)))
    #expect(t.text == "mean±2.5sd")
    #expect(Trim.sd(3).text == "mean±3sd")
    #expect(throws: MIError.self) { try Trim(parsing: "mean±0sd") }
    #expect(throws: MIError.self) { try Trim(parsing: "mean±2.555sd") }
    // 38 at 10,000, one at 40,000 (39 cases): mean 10,769.23, population SD 4,741.86, so the 40,000 case is
    // (40,000 − 10,769.23) / 4,741.86 = 6.16 SD away: mean ± 6.1 SD drops it, ± 6.2 SD keeps it; ± 1.5 SD keeps
    // the 10,000 ones (0.16 SD away).
    var lines = (0..<38).map { _ in DeriveTests.line(2023, "K35.800", [], 10_000) }
    lines.append(DeriveTests.line(2023, "K35.800", [], 40_000))
    for (k, kept) in [("6.1", Int64(38)), ("6.2", 39), ("1.5", 38)] {
      let r = try DeriveTests.derive(lines) {
        $0.yearWeights = [1]
        $0.trim = try! Trim(parsing: "mean±\(k)sd")
      }
      #expect(r.groups[0].stats.kept == kept, "k \(k)")
    }
  }

  /// Item 6: a per-diem category whose paid-day cap is below its minimum stay pays no case: refused, with the
  /// line of the key.
  @Test func perDiemCapBelowMinimumStay() throws {
    let text = """
      [scoring.per_diem.rehab]
      departments = ["A21"]
      daily_points = 50
      min_los = 15
      max_days = 10
      """
    #expect {
      try ScoringParams.load(try Params(text: text, name: "p.toml"))
    } throws: { e in
      (e as? MIError)?.message
        == "p.toml:5: key \"scoring.per_diem.\"rehab\".max_days\": 10 is below min_los 15: no stay of the category "
        + "could be paid"
    }
  }

  /// Item 6: params errors name the line of the key (or of its table when the key is missing), and exit 2 for a
  /// file of the command line, 3 for a workspace version.
  @Test func paramsErrorsNameTheLineAndTheOrigin() throws {
    let text = """
      # comment
      [scoring.dip]
      point_value = 8
      groups = [
        "x = 1",
      ]
      low_cmp = "=<"

      [scoring.per_diem."re.hab"]
      departments = ["A21"]
      """
    let file = try Params(text: text, name: "p.toml")
    #expect(file.line(of: "scoring.dip.low_cmp") == 7)
    #expect(file.line(of: "scoring.dip.point_value") == 3)
    #expect(file.line(of: "scoring.dip.high_cap") == 2)
    #expect(file.line(of: "scoring.per_diem.\"re.hab\".daily_points") == 9)
    #expect(file.line(of: "clearing.budget") == nil)
    let e = #expect(throws: MIError.self) { try ScoringParams.load(file) }
    #expect(e?.message == "p.toml:7: key \"scoring.dip.low_cmp\": expected \"<\" or \"≤\" (\"<=\"), found \"=<\"")
    #expect(e?.exitCode == 2)
    let stored = try Params(text: text, name: "params-2024", origin: .workspace)
    let e2 = #expect(throws: MIError.self) { try ScoringParams.load(stored) }
    #expect(e2?.exitCode == 3)
    #expect(e2?.message.hasPrefix("params-2024:7: key ") == true)
    // A syntax error of a file is usage too.
    #expect(throws: MIError.usage("bad.toml:1:5: Error while parsing key-value pair: encountered end-of-file")) {
      try Params(text: "a = ", name: "bad.toml")
    }
  }

  /// Item 7: lower-case and space-padded codes are normalised (and counted); what is still not a code is
  /// invalid, in grouping and in derivation.
  @Test func codesAreNormalised() throws {
    #expect(DIPCodes.normalizedDiagnosis(" q00.100") == "Q00.100")
    #expect(DIPCodes.normalizedDiagnosis("i10.X00\u{3000}") == "I10.x00")
    #expect(DIPCodes.normalizedDiagnosis("m51.000+g99.2*") == "M51.000+G99.2*")
    #expect(DIPCodes.normalizedDiagnosis("K35.800") == nil)
    #expect(DIPCodes.normalizedOperation(" 47.0100X001 ") == "47.0100x001")
    #expect(DIPCodes.normalizedOperation("47.0100") == nil)
    var lines = (0..<15).map { _ in DeriveTests.line(2023, "Q00.100", [], 5_000) }
    lines += (0..<3).map { _ in DeriveTests.line(2023, " q00.100", [], 5_000) }
    let r = try DeriveTests.derive(lines) { $0.yearWeights = [1] }
    #expect(r.groups.map(\.code) == ["Q00.1_C"] && r.groups[0].stats.untrimmed == 18)
    #expect(r.report[0].hasSuffix("; codes normalised (letter case or spaces) in 3 cases"))
    let g = DIPGrouper(catalog: r.catalog(name: "t", scale: 1000, procClasses: ProcClassTable()))
    let padded = g.group(dx: [" q00.100"], ops: [])
    #expect(padded.group?.code == "Q00.1_C" && padded.normalized)
    #expect(!g.group(dx: ["Q00.100"], ops: []).normalized)
    let bad = g.group(dx: ["A0"], ops: [])
    #expect(bad.status == "invalid" && bad.reason == "principal diagnosis 'A0' is not an ICD-10 code")
    #expect(g.group(dx: ["中00.100"], ops: []).status == "invalid")
    // A catalog or dictionary written with upper-case extension letters matches the normalised case codes.
    var classes = ProcClassTable()
    _ = classes.add(code: "47.0100X", rawClass: "手术")
    #expect(classes.classOf("47.0100x001") == .surgery)
    let upper = DIPCatalog(
      name: "u", scale: 1000,
      groups: [
        DIPGroup(
          code: "I10.X_47", name: "", kind: .core, dxKey: "I10.X",
          expression: try OperationExpression(parsing: "47.0100X001"), score: 10_000_000)
      ], aux: [], procClasses: classes)
    #expect(DIPGrouper(catalog: upper).group(dx: ["I10.x00"], ops: ["47.0100x001"]).group?.code == "I10.X_47")
    let d = Deriver(options: DeriveOptions())
    #expect {
      try TestSupport.withRecord(#"{"setl_time":"2023-01-01","medfee_sumamt":1.00,"diag_codes":["q0"]}"#) { s in
        try d.add(s)
      }
    } throws: { e in
      (e as? FieldError) == FieldError("diag_codes", "principal diagnosis 'Q0' is not an ICD-10 code")
    }
  }

  /// Item 8: how the auxiliary coefficient enters the outlier formulas, with the worked numbers of mi-score(1):
  /// RW 1500, 辅助分型 1.2 (part of the subtype's weight: 1800), institution 1.05, point value 8, standard
  /// 1500 × 1.05 × 1.2 × 8 = 15,120.00.
  @Test func auxiliaryCoefficientInOutlierFormulas() throws {
    func score(_ rules: String, _ yuan: Int64) throws -> CaseScore {
      try ScoreFormulaTests.score93(ScoreFormulaTests.base93 + "\n" + rules, yuan: yuan, aux: "age-65")
    }
    // r = 37,800 / 15,120 = 2.5.
    #expect(try score("high_formula = \"linear-2020\"", 37_800).points == 27_000_000)  // 1800 × 1.5
    #expect(
      try score("high_formula = \"linear-2020\"\ncoef_on_outliers = true", 37_800).points == 28_350_000)  // × 1.05
    #expect(try score("high_formula = \"add-coef\"", 37_800).points == 27_900_000)  // 1800 × (0.5 + 1.05)
    // r = 6,048 / 15,120 = 0.4.
    #expect(try score("low_formula = \"ratio\"", 6_048).points == 7_200_000)  // 1800 × 0.4
    // aux_role = "coefficient" (a named parameter: DOMAIN.md §2.3 leaves it open): the auxiliary coefficient goes
    // with the institution's: left out with it, added with it. linear-2020 1500 × 1.5 = 2250.0000 (coef 1.0000);
    // add-coef 1500 × (0.5 + 1.05 × 1.2) = 2640.0000; ratio 1500 × 0.4 = 600.0000.
    let asCoef = "aux_role = \"coefficient\"\n"
    let lin = try score(asCoef + "high_formula = \"linear-2020\"", 37_800)
    #expect(lin.points == 22_500_000 && lin.coef == 10_000)
    #expect(try score(asCoef + "high_formula = \"add-coef\"", 37_800).points == 26_400_000)
    #expect(try score(asCoef + "low_formula = \"ratio\"", 6_048).points == 6_000_000)
    #expect(
      try score(asCoef + "high_formula = \"linear-2020\"\ncoef_on_outliers = true", 37_800).points == 28_350_000)
    #expect(throws: MIError.self) { try score("aux_role = \"both\"", 37_800) }
    // The page states these numbers.
    let page = try String(
      contentsOf: TestSupport.packageRoot.appendingPathComponent("man/mi-score.1"), encoding: .utf8)
    for n in ["2700.0000", "2835.0000", "2790.0000", "720.0000", "15,120.00", "2250.0000", "2640.0000", "600.0000"] {
      #expect(page.contains(n), "mi-score.1 states \(n)")
    }
    // The level refusal is what the page says (no silent 1.0000).
    #expect(!page.contains("else its level's from the DIP catalog, else 1.0000;"))
  }
  // Item 5 (approvals that do not apply) is the golden case Tests/CLITests/Cases/mi-score/0604.
}
