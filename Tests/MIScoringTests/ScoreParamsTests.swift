import Foundation
import MICore
import MITestSupport
import Testing

@testable import MIScoring

/// The `[scoring]` section: defaults of DOMAIN.md §8, every variant selectable by name, and errors naming the key.
@Suite struct ScoreParamsTests {
  static func load(_ text: String) throws -> ScoringParams {
    try ScoringParams.load(try Params(text: text, name: "p.toml"))
  }

  /// The message of the error loading `text` throws.
  static func error(_ text: String) -> String {
    do {
      _ = try load(text)
      return "no error"
    } catch let e as MIError {
      return e.message
    } catch {
      return "\(error)"
    }
  }

  @Test func defaultsOfTheInventory() throws {
    // DOMAIN.md §8 "case": 0.5 `<` at-cost; 2.0 `>` refer-special; payment standard; no coefficient on outliers;
    // quota 0.005 DIP / 0.05 DRG; "DRG": 0.4 and bands 3 / 2 / 1.5.
    let p = try Self.load("")
    #expect(!p.present)
    #expect(p.dip.lowThreshold == Fixed("0.5", scale: 4)!)
    #expect(p.dip.lowCmp == .strict)
    #expect(p.dip.lowFormula == .atCost)
    #expect(p.dip.highThreshold == Fixed("2", scale: 4)!)
    #expect(p.dip.highCmp == .strict)
    #expect(p.dip.highFormula == .specialReview)
    #expect(p.dip.benchmark == .paymentStandard)
    #expect(p.dip.coefOnOutliers == false)
    #expect(p.dip.specialQuota == Fixed("0.005", scale: 4)!)
    #expect(p.dip.ungroupedFactor == Fixed("0.7", scale: 4)!)
    #expect(p.dip.basicNoCoef)
    #expect(p.drg.lowThreshold == Fixed("0.4", scale: 4)!)
    #expect(p.drg.specialQuota == Fixed("0.05", scale: 4)!)
    #expect(p.drg.highBands.map(\.threshold.description) == ["3.0000", "2.0000", "1.5000"])
    #expect(p.drg.highThreshold(weight: 10_000) == Fixed("3", scale: 4)!)
    #expect(p.drg.highThreshold(weight: 10_001) == Fixed("2", scale: 4)!)
    #expect(p.drg.highThreshold(weight: 50_000) == Fixed("1.5", scale: 4)!)
    // A point-scheme version (weights ×100): 基准点数 100 is RW 1.0 → 3×; 150 → 2×.
    #expect(p.drg.highThreshold(weight: 1_000_000, scale: 100) == Fixed("3", scale: 4)!)
    #expect(p.drg.highThreshold(weight: 1_500_000, scale: 100) == Fixed("2", scale: 4)!)
  }

  @Test(arguments: HighFormula.allCases) func everyHighFormulaIsSelectable(_ f: HighFormula) throws {
    let p = try Self.load("[scoring.dip]\npoint_value = 8\nhigh_formula = \"\(f.rawValue)\"\n")
    #expect(p.dip.highFormula == f)
  }

  @Test(arguments: LowFormula.allCases) func everyLowFormulaIsSelectable(_ f: LowFormula) throws {
    let p = try Self.load("[scoring.dip]\npoint_value = 8\nlow_formula = \"\(f.rawValue)\"\n")
    #expect(p.dip.lowFormula == f)
  }

  @Test(arguments: Benchmark.allCases) func everyBenchmarkIsSelectable(_ b: Benchmark) throws {
    let p = try Self.load(
      "[scoring.dip]\npoint_value = 8\nbenchmark = \"\(b.rawValue)\"\navg_factor = { employee = 9, resident = 8 }\n")
    #expect(p.dip.benchmark == b)
  }

  @Test func errorsNameTheKey() {
    let cases: [(String, String)] = [
      (
        "[scoring.dip]\npoint_value = 8\nlow_cmp = \"=<\"",
        "p.toml:3: key \"scoring.dip.low_cmp\": expected \"<\" or \"≤\" (\"<=\"), found \"=<\""
      ),
      (
        "[scoring.dip]\npoint_value = 8\nhigh_formula = \"linear\"",
        "p.toml:3: key \"scoring.dip.high_formula\": expected one of special-review, linear-2020, add-coef, at-cost, deduct, cap, found \"linear\""
      ),
      (
        "[scoring.dip]\nbenchmark = \"payment-standard\"",
        "p.toml:1: key \"scoring.dip.point_value\": required when benchmark is payment-standard"
      ),
      (
        "[scoring.dip]\npoint_value = 8\nlow_threshold = 0.12345",
        "p.toml:3: key \"scoring.dip.low_threshold\": expected a number with at most 4 decimals"
      ),
      (
        "[scoring.dip]\npoint_value = 8\nlow_threshold = 2.5",
        "p.toml:3: key \"scoring.dip.low_threshold\": 2.5000 must be below the high threshold 2.0000"
      ),
      (
        "[scoring.dip]\npoint_value = 8\nhigh_cap = 1.5",
        "p.toml:3: key \"scoring.dip.high_cap\": 1.5000 must be above the high threshold"
      ),
      (
        "[scoring.dip]\npoint_value = 8\nhgh_threshold = 3",
        "p.toml:3: key \"scoring.dip.hgh_threshold\": unknown key (expected point_value, points_per_weight, low_threshold, low_cmp, low_formula, high_threshold, high_cmp, high_bands, high_formula, high_cap, extreme, benchmark, coef_on_outliers, aux_role, special_threshold, special_quota, ungrouped_factor, basic_no_coef, basic_groups, avg_factor)"
      ),
      (
        "[scoring.coef.level]\n\"4\" = 1.1",
        "p.toml:2: key \"scoring.coef.level.\"4\"\": hospital level must be \"0\", \"1\", \"2\" or \"3\""
      ),
      (
        "[scoring.coef.level]\n\"3\" = 0",
        "p.toml:2: key \"scoring.coef.level.\"3\"\": a coefficient must be greater than 0"
      ),
      (
        "[scoring.drg]\npoint_value = 90\nhigh_threshold = 3\nhigh_bands = [{ threshold = 2 }]",
        "p.toml:4: key \"scoring.drg.high_bands\": give high_threshold or high_bands, not both"
      ),
      (
        "[scoring.drg]\npoint_value = 90\nhigh_bands = [{ below = 2, threshold = 2 }, { below = 1, threshold = 3 }]",
        "p.toml:3: key \"scoring.drg.high_bands[1]\": bands must be in increasing order of weight"
      ),
      (
        "[scoring.drg]\npoint_value = 90\nhigh_bands = [{ abve = 2, threshold = 2 }]",
        "p.toml:3: key \"scoring.drg.high_bands[0].abve\": unknown key (expected below, upto, threshold)"
      ),
      (
        "[scoring.per_diem.rehab]\ndepartments = [\"A21\"]",
        "p.toml:1: key \"scoring.per_diem.\"rehab\".daily_points\": required"
      ),
      (
        "[scoring.per_diem.rehab]\ndaily_points = 40\ndepartments = [\"A21\"]\nmin_lso = 3",
        "p.toml:4: key \"scoring.per_diem.\"rehab\".min_lso\": unknown key (expected name, groups, departments, levels, min_los, max_days, daily_points, segments, apply_coef)"
      ),
      (
        "[scoring.per_diem.rehab]\ndaily_points = 40\ngroups = [\"X\"]\n[scoring.per_diem.rehab.segments]\nthirty = 50",
        "p.toml:5: key \"scoring.per_diem.\"rehab\".segments.\"thirty\"\": segment keys are the last day of the segment (\"30\")"
      ),
      (
        "[scoring]\npoint_value = 8",
        "p.toml:2: key \"scoring.point_value\": unknown key (expected dip, drg, coef, aux_coef or per_diem)"
      ),
    ]
    for (text, message) in cases {
      #expect(Self.error(text) == message, "\(text)")
    }
  }

  @Test func unknownKeysOutsideScoringAreLeftToTheImport() throws {
    // Keys of other sections are not ScoringParams' business: unusedKeys() reports what no validator read.
    let p = try Params(text: "[scoring.dip]\npoint_value = 8\n[clearing]\nbudget = 1\n", name: "p")
    _ = try ScoringParams.load(p)
    #expect(p.unusedKeys() == ["clearing.budget"])
  }

  @Test func exampleParamsFileLoads() throws {
    // examples/params-2024.toml is the documented example: it must load, every scoring key read.
    let url = TestSupport.examplesDir.appendingPathComponent("params-2024.toml")
    let text = try String(contentsOf: url, encoding: .utf8)
    let p = try Params(text: text, name: "params-2024.toml")
    let s = try ScoringParams.load(p)
    #expect(s.present)
    #expect(s.dip.pointValue == Fixed("22", scale: 6)!)
    #expect(s.levelCoef["3"] == Fixed("1.05", scale: 4)!)
    #expect(s.perDiem.map(\.key) == ["psych", "rehab", "tb"])
    #expect(p.unusedKeys().allSatisfy { !$0.hasPrefix("scoring") })
  }
}
