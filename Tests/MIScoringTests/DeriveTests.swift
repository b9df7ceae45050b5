import Foundation
import MICore
import MIGrouping
import MITestSupport
import Testing

@testable import MIScoring

/// `mi-score derive` arithmetic: DOMAIN.md §9.1 (1:2:7, both readings), trimming, the related-operation split
/// (DIP3 p.42), the core threshold, hospital-level coefficients, DRG weights, and the total-score property.
@Suite struct DeriveTests {
  /// One historical case line.
  static func line(_ year: Int, _ dx: String, _ ops: [String], _ yuan: Int64, lv: String = "2", drg: String? = nil)
    -> String
  {
    let o = ops.map { "\"\($0)\"" }.joined(separator: ",")
    let g = drg.map { ",\"group_code\":\"\($0)\",\"group_status\":\"grouped\"" } ?? ""
    return
      #"{"setl_time":"\#(year)-06-30 10:00:00","hosp_lv":"\#(lv)","diag_codes":["\#(dx)"],"oprn_codes":[\#(o)],"medfee_sumamt":\#(yuan).00\#(g)}"#
  }

  /// Feeds lines to a deriver and finishes it.
  static func derive(_ lines: [String], _ configure: (inout DeriveOptions) -> Void = { _ in }) throws -> DeriveResult {
    var o = DeriveOptions()
    configure(&o)
    let d = Deriver(options: o)
    for l in lines { try TestSupport.withRecord(l) { s in try d.add(s) } }
    return try d.finish()
  }

  /// §9.1's history: group A (K35.8 + 47.0100) costs 10,000 / 11,000 / 12,000 with 50 / 60 / 70 cases; group B
  /// (I10.x, no operation) costs 6,000 every year with as many cases, so that the all-case means are
  /// (500,000 + 300,000)/100 = 8,000, (660,000 + 360,000)/120 = 8,500 and (840,000 + 420,000)/140 = 9,000.
  static let history91: [String] = {
    var out: [String] = []
    for (year, n, cost) in [(2021, 50, Int64(10_000)), (2022, 60, 11_000), (2023, 70, 12_000)] {
      for _ in 0..<n {
        out.append(line(year, "K35.800", ["47.0100"], cost))
        out.append(line(year, "I10.x00", [], 6_000))
      }
    }
    return out
  }()

  @Test func yearlyMeans91() throws {
    // m = 0.1×10000 + 0.2×11000 + 0.7×12000 = 11,600; M = 0.1×8000 + 0.2×8500 + 0.7×9000 = 8,800;
    // 分值 = 11600 / 8800 × 1000 = 1318.181818… → 1318.1818; B: 6000 / 8800 × 1000 = 681.8181… → 681.8182.
    let r = try DeriveTests.derive(DeriveTests.history91) { $0.trim = .none }
    #expect(r.years == [2021, 2022, 2023])
    #expect(r.poolMeanMicroFen == 880_000_000_000)
    #expect(r.groups.map(\.code) == ["I10.x_C", "K35.8_47.0100"])
    #expect(r.groups[1].stats.meanMicroFen == 1_160_000_000_000)
    #expect(r.groups[1].group.score == 13_181_818)
    #expect(r.groups[0].group.score == 6_818_182)
    #expect(r.groups[1].group.meanFen == 1_160_000)
  }

  @Test func totals91() throws {
    // Count-weighted: m = (0.1×10000×50 + 0.2×11000×60 + 0.7×12000×70)/(0.1×50 + 0.2×60 + 0.7×70)
    // = 770000/66 = 11,666.666667 (micro-fen: 1,166,666.666667 fen → 1166666666667 rounded half up);
    // M = (1×800000 + 2×1020000 + 7×1260000)/(1×100 + 2×120 + 7×140) = 11,660,000/1,320 = 8,833.333333;
    // 分值 = 11666.6667 / 8833.3333 × 1000 = 1320.754716… → 1320.7547; B: 6000 / 8833.3333 × 1000 = 679.2453.
    let r = try DeriveTests.derive(DeriveTests.history91) {
      $0.trim = .none
      $0.weightBasis = .totals
    }
    #expect(r.groups[1].stats.meanMicroFen == 1_166_666_666_667)
    #expect(r.poolMeanMicroFen == 883_333_333_333)
    #expect(r.groups[1].group.score == 13_207_547)
    #expect(r.groups[0].group.score == 6_792_453)
  }

  @Test func weightedMeanFormula() {
    // The same §9.1 figures straight through the formula, in fen: sums 500,000 / 660,000 / 840,000 yuan.
    var o = DeriveOptions()
    let d = Deriver(options: o)
    let n: [Int64] = [50, 60, 70]
    let sum: [Int64] = [50_000_000, 66_000_000, 84_000_000]
    #expect(d.weightedMean(n: n, sum: sum) == 1_160_000_000_000)
    // A year without cases drops out and the weights renormalise: (2×11000 + 7×12000)/9 = 11,777.777778.
    #expect(d.weightedMean(n: [0, 60, 70], sum: [0, 66_000_000, 84_000_000]) == 1_177_777_777_778)
    o.weightBasis = .totals
    #expect(Deriver(options: o).weightedMean(n: n, sum: sum) == 1_166_666_666_667)
    o.yearWeights = [1, 3, 6]
    // 1:3:6 totals: (50,000,000 + 3×66,000,000 + 6×84,000,000)/(50 + 180 + 420) = 752,000,000/650 fen
    // = 1,156,923.076923 fen.
    #expect(Deriver(options: o).weightedMean(n: n, sum: sum) == 1_156_923_076_923)
  }

  @Test func percentileTrim() throws {
    // 40 cases in one year (≥ 25, so trimmed): 38 at 10,000, one at 100, one at 1,000,000.
    // p2.5,p97.5 drops ⌊40 × 0.025⌋ = 1 lowest and ⌊40 × 0.025⌋ = 1 highest: 38 cases, mean 10,000
    // (untrimmed it would be (380,000 + 100 + 1,000,000)/40 = 34,502.50).
    var lines = (0..<38).map { _ in DeriveTests.line(2023, "K35.800", [], 10_000) }
    lines.append(DeriveTests.line(2023, "K35.800", [], 100))
    lines.append(DeriveTests.line(2023, "K35.800", [], 1_000_000))
    // 20 cases of another group (< 25): not trimmed, 19 at 5,000 and one at 50,000 → mean 7,250.
    lines += (0..<19).map { _ in DeriveTests.line(2023, "I10.x00", [], 5_000) }
    lines.append(DeriveTests.line(2023, "I10.x00", [], 50_000))
    let r = try DeriveTests.derive(lines) { $0.yearWeights = [1] }
    let k = r.groups.first { $0.code == "K35.8_C" }!
    #expect(k.stats.n == [38] && k.stats.untrimmed == 40 && k.group.meanFen == 1_000_000)
    #expect(k.stats.cv == 0)
    let i = r.groups.first { $0.code == "I10.x_C" }!
    #expect(i.stats.n == [20] && i.group.meanFen == 725_000)
    // M over the kept cases: (380,000 + 145,000)/58 = 9,051.724138; K 分值 = 10000 / 9051.724138 × 1000
    // = 1104.7619…: 10000 × 58 / 525000 × 1000 = 1104.761905 → 1104.7619.
    #expect(k.group.score == 11_047_619)
  }

  @Test func sigmaTrim() throws {
    // 38 at 10,000 and one at 1,000,000 (39 cases): mean 35,384.62, population SD 156,481.28, so
    // mean + 3 SD = 504,828.45 and the 1,000,000 case is dropped; 10,000 ones stay (|10000 − 35384| < 3 SD).
    var lines = (0..<38).map { _ in DeriveTests.line(2023, "K35.800", [], 10_000) }
    lines.append(DeriveTests.line(2023, "K35.800", [], 1_000_000))
    let r = try DeriveTests.derive(lines) {
      $0.yearWeights = [1]
      $0.trim = .sd(3)
    }
    #expect(r.groups[0].stats.n == [38] && r.groups[0].group.meanFen == 1_000_000)
    #expect(try Trim(parsing: "mean±3sd") == .sd(3))
    #expect(try Trim(parsing: "p2.5,p97.5") == .percentiles(lowPerMille: 25, highPerMille: 975))
    #expect(Trim.percentiles(lowPerMille: 25, highPerMille: 975).text == "p2.5,p97.5")
    #expect(Trim.percentiles(lowPerMille: 50, highPerMille: 950).text == "p5,p95")
    #expect(throws: MIError.self) { try Trim(parsing: "p97.5,p2.5") }
  }

  @Test func relatedOperationSplit() throws {
    // Base K35.8 + 47.0100, one year, no trimming, threshold 15:
    //   20 cases alone at 10,000; 20 with related 54.2100 at 11,500; 20 with related 88.7100 at 10,500.
    // 54.2100: with = 11,500; without = (20×10000 + 20×10500)/40 = 10,250; 11500/10250 = 1.1220 → +12.20% ≥ 10%
    //   → own group K35.8_47.0100+54.2100 (DIP3 p.42: ≥10% → own group).
    // 88.7100: with = 10,500; without = (20×10000 + 20×11500)/40 = 10,750; 10500/10750 = 0.9767 → −2.33% → stays.
    var lines: [String] = []
    for _ in 0..<20 {
      lines.append(DeriveTests.line(2023, "K35.800", ["47.0100"], 10_000))
      lines.append(DeriveTests.line(2023, "K35.800", ["47.0100", "54.2100"], 11_500))
      lines.append(DeriveTests.line(2023, "K35.800", ["47.0100", "88.7100"], 10_500))
    }
    let r = try DeriveTests.derive(lines) {
      $0.yearWeights = [1]
      $0.trim = .none
    }
    #expect(r.groups.map(\.code) == ["K35.8_47.0100", "K35.8_47.0100+54.2100"])
    #expect(r.groups[1].relatedUplift == 1_220)
    #expect(r.groups[1].group.expression.text == "47.0100+54.2100")
    // The base keeps the 88.7100 cases: (20×10000 + 20×10500)/40 = 10,250.
    #expect(r.groups[0].stats.kept == 40 && r.groups[0].group.meanFen == 1_025_000)
    // With a 13% uplift required, 12.20% is not enough: one group of 60.
    let r2 = try DeriveTests.derive(lines) {
      $0.yearWeights = [1]
      $0.trim = .none
      $0.relatedUplift = 1_300
    }
    #expect(r2.groups.map(\.code) == ["K35.8_47.0100"])
    // The derived catalog groups the cases as derived: with 54.2100 → the split group (full match).
    let cat = r.catalog(name: "t", scale: 1000, procClasses: ProcClassTable())
    let g = DIPGrouper(catalog: cat)
    #expect(g.group(dx: ["K35.800"], ops: ["47.0100", "54.2100"]).group?.code == "K35.8_47.0100+54.2100")
    #expect(g.group(dx: ["K35.800"], ops: ["47.0100", "88.7100"]).group?.code == "K35.8_47.0100")
  }

  @Test func coreThresholdAndComprehensive() throws {
    // K35.8 + 47.0100: 15 cases (core at 15); K35.9 + 51.2300: 4 cases and K35.9 + 99.1000: 3 cases (not core)
    // → comprehensive K35_S (51.23 is 手术, 4 cases) and K35_T (99.10 治疗性, 3 cases); with
    // comprehensive_min 4 the K35_T group is dropped.
    var lines = (0..<15).map { _ in DeriveTests.line(2023, "K35.800", ["47.0100"], 10_000) }
    lines += (0..<4).map { _ in DeriveTests.line(2023, "K35.900", ["51.2300"], 8_000) }
    lines += (0..<3).map { _ in DeriveTests.line(2023, "K35.900", ["99.1000"], 3_000) }
    var classes = ProcClassTable()
    _ = classes.add(code: "51.23", rawClass: "手术")
    _ = classes.add(code: "99.10", rawClass: "治疗性操作")
    let r = try DeriveTests.derive(lines) {
      $0.yearWeights = [1]
      $0.procClasses = classes
      $0.comprehensiveMin = 4
    }
    #expect(r.groups.map(\.code) == ["K35.8_47.0100", "K35_S"])
    #expect(r.groups[1].group.kind == .comprehensive && r.groups[1].group.opClass == .surgery)
    #expect(r.coreThreshold == 15)
    // By coverage: counts sorted 15, 4, 3 of 22; 95% of 22 = 20.9 → 15 + 4 = 19 < 20.9, + 3 = 22 → threshold 3.
    let cov = try DeriveTests.derive(lines) {
      $0.yearWeights = [1]
      $0.coreCoverage = 9_500
    }
    #expect(cov.coreThreshold == 3)
    #expect(cov.groups.map(\.code) == ["K35.8_47.0100", "K35.9_51.2300", "K35.9_99.1000"])
  }

  @Test func basicCandidatesAndHospitalCoefficients() throws {
    // Level 3 cases cost 12,000, level 1 cases 6,000, 20 each, one year: pool mean 9,000;
    // coefficients 12000/9000 = 1.3333 and 6000/9000 = 0.6667. The group's CV: SD 3,000 / mean 9,000 = 0.3333.
    var lines = (0..<20).map { _ in DeriveTests.line(2023, "K35.800", [], 12_000, lv: "3") }
    lines += (0..<20).map { _ in DeriveTests.line(2023, "K35.800", [], 6_000, lv: "1") }
    let r = try DeriveTests.derive(lines) {
      $0.yearWeights = [1]
      $0.basicAuto = true
    }
    #expect(r.hospitalCoefs == ["3": 13_333, "1": 6_667])
    #expect(r.groups[0].stats.cv == 3_333)
    #expect(r.groups[0].group.basicCandidate && r.groups[0].group.kind == .basic)
    // Above basic_max_cv 0.3: a candidate no more.
    let r2 = try DeriveTests.derive(lines) {
      $0.yearWeights = [1]
      $0.basicMaxCV = 3_000
    }
    #expect(!r2.groups[0].group.basicCandidate && r2.groups[0].group.kind == .core)
  }

  @Test func drgWeights() throws {
    // DRG A: 10 cases at 20,000, DRG B: 30 cases at 5,000 → pool mean (200,000 + 150,000)/40 = 8,750;
    // RW A = 20000/8750 = 2.285714… → 2.2857; RW B = 5000/8750 = 0.571428… → 0.5714.
    var lines = (0..<10).map { _ in DeriveTests.line(2023, "K35.800", [], 20_000, drg: "GB11") }
    lines += (0..<30).map { _ in DeriveTests.line(2023, "K35.800", [], 5_000, drg: "GZ13") }
    lines.append(#"{"setl_time":"2023-01-01","medfee_sumamt":1.00,"group_code":null,"group_status":"ungroupable"}"#)
    let r = try DeriveTests.derive(lines) {
      $0.method = .drg
      $0.yearWeights = [1]
      $0.scale = 1
    }
    #expect(r.groups.map(\.code) == ["GB11", "GZ13"])
    #expect(r.groups.map(\.group.score) == [22_857, 5_714])
    #expect(r.report[0].contains("excluded 1 (not grouped)"))
  }

  @Test func drgWeightsTableAndStore() throws {
    let dir = try TestSupport.tempDir("drg-weights")
    let csv = dir.appendingPathComponent("w.csv")
    try "drg_code,drg_name,weight\nGB11,胃切除术,2.2857\nGZ13,消化系统其他疾病,0.5714\n"
      .write(to: csv, atomically: true, encoding: .utf8)
    let w = try DRGWeights.read(csv.path)
    #expect(w.entries.map(\.weight) == [22_857, 5_714])
    let ws = try Workspace.open(dir.appendingPathComponent("mi.db").path, create: true)
    try w.store(in: ws, name: "drg-w", source: csv.path, sha256: "0", replace: false)
    #expect(try DRGWeights.load(ws, name: "drg-w") == w)
    let bad = dir.appendingPathComponent("bad.csv")
    try "drg_code,weight\nGB11,-1\n".write(to: bad, atomically: true, encoding: .utf8)
    #expect {
      try DRGWeights.read(bad.path)
    } throws: { e in
      (e as? MIError)?.message == "\(bad.path):2: field \"weight\": weight must be positive"
    }
  }

  /// A deterministic pseudo-random history: 30 diagnoses × 4 operation patterns over three years.
  static func randomHistory(seed: UInt64, count: Int) -> [String] {
    var s = seed
    func next() -> UInt64 {
      s &+= 0x9E37_79B9_7F4A_7C15
      var z = s
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    var out: [String] = []
    for _ in 0..<count {
      let year = 2021 + Int(next() % 3)
      let dx = String(format: "K%02d.%d00", 20 + Int(next() % 10), Int(next() % 3))
      let pattern = Int(next() % 4)
      let ops: [String] = [[], ["47.0100"], ["47.0100", "54.2100"], ["51.2300"]][pattern]
      let base = Int64(3_000 + 2_000 * pattern) + Int64(next() % 4_000)
      out.append(DeriveTests.line(year, dx, ops, base, lv: String(1 + Int(next() % 3))))
    }
    return out
  }

  @Test(arguments: [Trim.none, .percentiles(lowPerMille: 25, highPerMille: 975)])
  func totalScoreIsConserved(trim: Trim) throws {
    // Property (DIP3 pp.57, 59: adjustments keep the total score): with the weights on totals, Σ 分值_i × W_i
    // = Σ w·cost / M × scale = ΣW × scale, where W_i = Σ_y w_y n_iy counts group i's kept cases with their
    // year weights; each 分值 is rounded once to 4 places, so the two differ by at most ΣW × 0.00005 (plus the
    // micro-fen rounding of the means, far smaller).
    let lines = DeriveTests.randomHistory(seed: 42, count: 3_000)
    let r = try DeriveTests.derive(lines) {
      $0.trim = trim
      $0.weightBasis = .totals
      $0.coreThreshold = 20
    }
    #expect(r.groups.count > 10)
    var total: Int64 = 0  // Σ 分值_raw × W_i, in units of 10⁻⁴ points
    var weighted: Int64 = 0  // ΣW
    for g in r.groups {
      let w = zip([Int64(1), 2, 7], g.stats.n).reduce(0) { $0 + $1.0 * $1.1 }
      total += g.group.score * w
      weighted += w
    }
    let expected = weighted * 1000 * 10_000
    #expect(abs(total - expected) <= weighted / 2 + 1)
    // Same history in another order: the same catalog, byte for byte.
    let again = try DeriveTests.derive(lines.reversed()) {
      $0.trim = trim
      $0.weightBasis = .totals
      $0.coreThreshold = 20
    }
    let a = r.catalog(name: "x", scale: 1000, procClasses: ProcClassTable()).entryLines()
    let b = again.catalog(name: "x", scale: 1000, procClasses: ProcClassTable()).entryLines()
    #expect(a == b)
  }

  @Test func yearsMustMatchWeights() throws {
    let lines = [DeriveTests.line(2022, "K35.800", [], 100), DeriveTests.line(2023, "K35.800", [], 100)]
    #expect {
      try DeriveTests.derive(lines)
    } throws: { e in
      (e as? MIError)?.message
        == "history has years 2022, 2023 but --year-weights 1:2:7 needs 3 (name them with --years)"
    }
    // Naming the years: cases of other years are ignored and reported.
    let r = try DeriveTests.derive(lines) {
      $0.yearWeights = [1]
      $0.years = [2023]
      $0.coreThreshold = 1
    }
    #expect(r.groups[0].stats.untrimmed == 1)
    #expect(r.report[0] == "derive dip: cases 2023 1; 1 cases outside the derivation years ignored")
  }

  @Test func badRecordsNameTheField() throws {
    let d = Deriver(options: DeriveOptions())
    #expect {
      try TestSupport.withRecord(#"{"medfee_sumamt":1.00,"diag_codes":["K35.800"]}"#) { s in try d.add(s) }
    } throws: { e in
      (e as? FieldError) == FieldError("setl_time", "missing (and no dscg_time): the case's year is unknown")
    }
    #expect {
      try TestSupport.withRecord(#"{"setl_time":"2023-01-01","medfee_sumamt":1.00,"diag_codes":[]}"#) { s in
        try d.add(s)
      }
    } throws: { e in
      (e as? FieldError) == FieldError("diag_codes", "missing principal diagnosis")
    }
  }

  @Test func groupNamesFromDictionaries() throws {
    let names = GroupNames(
      dx: [("K35.800", "急性阑尾炎伴弥漫性腹膜炎"), ("K35.900", "急性阑尾炎"), ("I10.x00", "特发性（原发性）高血压")],
      proc: [("47.0100", "腹腔镜下阑尾切除术")])
    #expect(names.diagnosis("K35.8") == "急性阑尾炎伴弥漫性腹膜炎")
    #expect(names.diagnosis("I10.x") == "特发性（原发性）高血压")
    // A 类目 takes its first listed code's name.
    #expect(names.diagnosis("K35") == "急性阑尾炎伴弥漫性腹膜炎")
    #expect(names.diagnosis("Z99") == nil)
    let lines = (0..<15).map { _ in DeriveTests.line(2023, "K35.800", ["47.0100"], 10_000) }
    let r = try DeriveTests.derive(lines) {
      $0.yearWeights = [1]
      $0.names = names
    }
    #expect(r.groups[0].group.name == "K35.8 急性阑尾炎伴弥漫性腹膜炎 腹腔镜下阑尾切除术")
  }

  @Test(arguments: [DeriveMethod.dip, .drg])
  func partialsMergeToTheSameResult(method: DeriveMethod) throws {
    // DESIGN.md §6: derive --partial on two slices, --merge on the partials = one run over everything.
    var lines = DeriveTests.randomHistory(seed: 7, count: 2_000)
    lines.append(DeriveTests.line(2022, "K35.800", [], 0))  // excluded (cost ≤ 0), counted in both
    if method == .drg {
      lines = lines.enumerated().map { i, l in String(l.dropLast()) + ",\"group_code\":\"G\(i % 7)\"}" }
    }
    func configure(_ o: inout DeriveOptions) {
      o.method = method
      o.coreThreshold = 20
    }
    let whole = try DeriveTests.derive(lines, configure)
    var o = DeriveOptions()
    configure(&o)
    let merged = Deriver(options: o)
    for slice in [lines[..<700], lines[700...]] {
      let part = Deriver(options: o)
      for l in slice { try TestSupport.withRecord(l) { s in try part.add(s) } }
      for p in part.partialLines() {
        try TestSupport.withRecord(String(decoding: p.dropLast(), as: UTF8.self)) { s in try merged.addPartial(s) }
      }
    }
    let r = try merged.finish()
    let cat = { (x: DeriveResult) in x.catalog(name: "x", scale: 1000, procClasses: ProcClassTable()).entryLines() }
    #expect(cat(r) == cat(whole))
    #expect(r.report == whole.report)
  }

  @Test func auxiliarySubtypeCoefficients() throws {
    // One year, K35.8 保守治疗, no trimming: 40 adults (age 40) at 9,000 ×20 and 11,000 ×20 (mean 10,000), and
    // 20 aged 70 at 19,000 ×10 and 21,000 ×10 (mean 20,000). Group mean = 800,000 / 60 = 13,333.333333;
    // group CV: E[x²] = (20×81 + 20×121 + 10×361 + 10×441)e6 / 60 = 201e6, var = 201e6 − 13333.33² = 23.2222e6,
    // SD 4,818.89, CV 0.3614; subtype CV = 1,000 / 20,000 = 0.0500 ≤ 0.3614 × 0.8 → triggered (DIP3 p.63).
    // 辅助分型调节系数 = 20,000 / 13,333.333333 = 1.5000 (DOMAIN.md §2.2: m_j / M of the group, last year).
    func person(_ age: Int, _ yuan: Int) -> String {
      #"{"setl_time":"2023-03-01","age":\#(age),"diag_codes":["K35.800"],"oprn_codes":[],"medfee_sumamt":\#(yuan).00}"#
    }
    var lines: [String] = []
    for _ in 0..<20 { lines += [person(40, 9_000), person(40, 11_000)] }
    for _ in 0..<10 { lines += [person(70, 19_000), person(70, 21_000)] }
    var elderly = DIPAux(code: "AGE-65", name: "65岁及以上", type: "age", coef: 10_000)
    elderly.minAgeDays = 65 * 365
    var child = DIPAux(code: "AGE-CHILD", name: "儿童", type: "age", coef: 10_000)
    child.maxAgeDays = 17 * 365
    let r = try DeriveTests.derive(lines) {
      $0.yearWeights = [1]
      $0.trim = .none
      $0.auxDefinitions = [elderly, child]
    }
    #expect(r.groups[0].stats.cv == 3_614)
    #expect(r.aux.map(\.code) == ["AGE-65@K35.8_C"])
    #expect(r.aux[0].coef == 15_000 && r.aux[0].groups == ["K35.8_C"] && r.aux[0].minAgeDays == 23_725)
    // The derived catalog types an elderly case with its subtype.
    let g = DIPGrouper(catalog: r.catalog(name: "t", scale: 1000, procClasses: ProcClassTable()))
    let old = g.group(dx: ["K35.800"], ops: [], facts: .init(ageDays: 70 * 365))
    #expect(old.aux?.code == "AGE-65@K35.8_C")
    #expect(g.group(dx: ["K35.800"], ops: [], facts: .init(ageDays: 40 * 365)).aux == nil)
    // A group minimum above the group's 60 last-year cases: no subtype.
    let strict = try DeriveTests.derive(lines) {
      $0.yearWeights = [1]
      $0.trim = .none
      $0.auxDefinitions = [elderly]
      $0.auxMinGroupCases = 61
    }
    #expect(strict.aux.isEmpty)
  }
}
