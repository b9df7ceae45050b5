import MICore
import TOMLKit

/// The per-case scoring parameters: the `[scoring]` section of a params file (DOMAIN.md §8, rows "case" and
/// "DRG"), with the defaults of that inventory.
///
/// `ScoringParams.load(_:)` reads every key it knows and checks it, naming the key in its errors; the
/// `mi-catalog import params` command calls it on import, so a bad file never becomes a version.
public struct ScoringParams: Sendable, Equatable {
  /// Whether the file has a `[scoring]` section at all (a clearing-only params file has none).
  public var present: Bool
  /// The rules for DIP cases (`[scoring.dip]`).
  public var dip: SchemeRules
  /// The rules for DRG cases (`[scoring.drg]`).
  public var drg: SchemeRules
  /// 医疗机构调节系数 by hospital level (`[scoring.coef.level]`, keys `"0"`–`"3"`), scale 4; overrides the
  /// catalog's (DIP `hosp-coef` entries).
  public var levelCoef: [String: Fixed]
  /// Per-hospital coefficients that override the level's (`[scoring.coef.hospital]`, key `fixmedins_code`).
  public var hospitalCoef: [String: Fixed]
  /// 辅助分型调节系数 by the subtype code mi-group writes in `dip_aux` (`[scoring.aux_coef]`), scale 4;
  /// overrides the catalog's auxiliary entries.
  public var auxCoef: [String: Fixed]
  /// 按床日 categories (`[scoring.per_diem.KEY]`), in key order: the first that matches a case wins.
  public var perDiem: [PerDiemCategory]

  /// The parameters of an empty file: every default of DOMAIN.md §8.
  public static let defaults = ScoringParams(
    present: false, dip: .dipDefaults, drg: .drgDefaults,
    levelCoef: [:], hospitalCoef: [:], auxCoef: [:], perDiem: [])

  /// 1.0000.
  static let one = Fixed(raw: 10_000, scale: 4)

  /// Reads and checks the `[scoring]` section; absent keys take their defaults, bad ones throw naming the key.
  public static func load(_ p: Params) throws(MIError) -> ScoringParams {
    var s = ScoringParams.defaults
    s.present = p.has("scoring")
    s.dip = try SchemeRules.load(p, "scoring.dip", defaults: .dipDefaults)
    s.drg = try SchemeRules.load(p, "scoring.drg", defaults: .drgDefaults)
    for level in try p.keys("scoring.coef.level") {
      guard ["0", "1", "2", "3"].contains(level) else {
        throw p.invalid("scoring.coef.level.\"\(level)\"", "hospital level must be \"0\", \"1\", \"2\" or \"3\"")
      }
      s.levelCoef[level] = try coefficient(p, "scoring.coef.level.\"\(level)\"")
    }
    for code in try p.keys("scoring.coef.hospital") {
      s.hospitalCoef[code] = try coefficient(p, "scoring.coef.hospital.\"\(code)\"")
    }
    for sub in try p.keys("scoring.aux_coef") {
      s.auxCoef[sub] = try coefficient(p, "scoring.aux_coef.\"\(sub)\"")
    }
    for key in try p.keys("scoring.per_diem") {
      s.perDiem.append(try PerDiemCategory.load(p, key: key))
    }
    for key in try p.keys("scoring") where !["dip", "drg", "coef", "aux_coef", "per_diem"].contains(key) {
      throw p.invalid("scoring.\(key)", "unknown key (expected dip, drg, coef, aux_coef or per_diem)")
    }
    try checkKnown(p, "scoring.coef", ["level", "hospital"])
    return s
  }

  /// A coefficient: a positive number with at most 4 decimals.
  static func coefficient(_ p: Params, _ key: String) throws(MIError) -> Fixed {
    guard let f = try p.fixed(key, scale: 4) else { throw p.invalid(key, "expected a number") }
    guard f.raw > 0 else { throw p.invalid(key, "a coefficient must be greater than 0") }
    return f
  }

  /// Refuses keys of a table that are not in `known`.
  ///
  /// `Params.keys(_:)` marks a whole table as read, so `unusedKeys()` cannot see a typo inside a table whose
  /// keys are enumerated; each enumerated table is checked here instead.
  static func checkKnown(_ p: Params, _ table: String, _ known: [String]) throws(MIError) {
    for key in try p.keys(table) where !known.contains(key) {
      throw p.invalid("\(table).\(key)", "unknown key (expected \(known.joined(separator: ", ")))")
    }
  }

  /// The 医疗机构调节系数 of a hospital (raw, scale 4): its own (`coef.hospital`), else its level's from the params
  /// (`coef.level`), else its level's from the catalog; 1.0000 when neither the params nor the catalog has level
  /// coefficients. Nil when level coefficients exist but the level is unknown or has none.
  public func coefficient(hospital: String?, level: String?, catalog: [String: Int64]) -> Int64? {
    if let hospital, let c = hospitalCoef[hospital] { return c.raw }
    if levelCoef.isEmpty && catalog.isEmpty { return ScoringParams.one.raw }
    guard let level else { return nil }
    return levelCoef[level]?.raw ?? catalog[level]
  }

  /// The rules of one scheme.
  public func rules(_ scheme: Scheme) -> SchemeRules { scheme == .dip ? dip : drg }
}

/// DIP or DRG.
public enum Scheme: String, Sendable, Equatable {
  /// 按病种分值付费.
  case dip
  /// 按疾病诊断相关分组付费.
  case drg
}

/// A comparison with a threshold: strict (`<`, `>`) or inclusive (`≤`, `≥`).
public enum Comparison: Sendable, Equatable {
  /// `<` or `>`.
  case strict
  /// `≤` or `≥` (also written `<=`, `>=`).
  case inclusive
}

/// The formula for cases below the low threshold (DOMAIN.md §2.3).
public enum LowFormula: String, Sendable, Equatable, CaseIterable {
  /// DIP3 p.67: `RW × 系数 × cost / (支付标准 × 系数)`, i.e. the base score × cost/benchmark, coefficient always
  /// included: with the payment-standard benchmark the case is paid at cost.
  case atCost = "at-cost"
  /// DIP20 / NodeDIP cities: `RW × cost/avg`, the coefficient only when `coef_on_outliers` (济宁: none).
  case ratio = "ratio"
}

/// The formula for cases above the high threshold (DOMAIN.md §2.3; names of the issue and §8).
public enum HighFormula: String, Sendable, Equatable, CaseIterable {
  /// DIP3 p.67: no formula; scored as a normal case and marked for 特例单议 (§8 calls it `refer-special`).
  case specialReview = "special-review"
  /// DIP20: `RW × [(r − T) + 1]`, × coefficient only when `coef_on_outliers`.
  case linear2020 = "linear-2020"
  /// 济宁: `RW × (r − T + coef)` — the coefficient added, not multiplied; the same as DRGX `LinearAdd`
  /// (`RW×系数×尺度 + (r − K) × RW × 尺度`).
  case addCoef = "add-coef"
  /// Paid at cost (按实): the base score × r.
  case atCost = "at-cost"
  /// DRGX 周口 `Deduct`: `(cost ÷ 全市次均 − (K − 1) × RW × 系数) × 尺度` with 全市次均 = point value × 尺度.
  case deduct = "deduct"
  /// DRGX 盘锦: paid at cost but capped at the high threshold: the base score × T.
  case cap = "cap"
}

/// What a case's cost is compared with to classify it (DOMAIN.md §2.3 "The benchmark `avg` also varies").
public enum Benchmark: String, Sendable, Equatable, CaseIterable {
  /// The same-level payment standard: weight × coefficient × points-per-weight × point value (DIP3 p.67).
  case paymentStandard = "payment-standard"
  /// Last year's mean cost of the group at the hospital's level, from the catalog (DIP20).
  case lastYearMean = "last-year-mean"
  /// Weight × 均费调整系数 (yuan per point) per 险种 and for 基层病种 (NodeDIP `factor_*_avg_amount`).
  case scoreFactor = "score-factor"
}

/// What happens above the extreme cap (`high_cap`).
public enum ExtremeRule: String, Sendable, Equatable, CaseIterable {
  /// The high formula is evaluated at r = `high_cap` (DIP20: beyond 5× the case goes to expert review).
  case cap = "cap"
  /// The case keeps its normal score (济宁: `r > 5` → `coef`, handled outside by review).
  case normal = "normal"
}

/// Where the 辅助分型调节系数 enters the outlier formulas (DOMAIN.md §2.3 leaves it open: DIP3 p.66 multiplies the
/// normal score by it; 宜昌 multiplies outliers by "institution × auxiliary"; 济宁 adds "coef" without saying).
public enum AuxRole: String, Sendable, Equatable, CaseIterable {
  /// Part of the subtype's weight (RW × auxiliary) in every formula: kept when `coef_on_outliers` is false, and
  /// in `add-coef` it multiplies the weight while the institution's coefficient is added. The default.
  case weight
  /// Part of the coefficient (institution × auxiliary): left out with the institution's when `coef_on_outliers`
  /// is false, and added together with it in `add-coef`.
  case coefficient
}

/// One band of DRG high thresholds by weight (DOMAIN.md §2.3, DRGX and 浙江 tables).
public struct HighBand: Sendable, Equatable {
  /// The band covers weights below this (strict), or up to and including it when `inclusive`; nil: all above.
  public var weightLimit: Fixed?
  /// Whether `weightLimit` is included.
  public var inclusive: Bool
  /// The high threshold K of the band.
  public var threshold: Fixed
}

/// The rules of one scheme (`[scoring.dip]` or `[scoring.drg]`).
public struct SchemeRules: Sendable, Equatable {
  /// The 年初点值 (DIP) or 费率 (DRG), yuan per point, scale 6: turns points into a payment standard to
  /// classify outliers, and prices ungrouped and at-cost cases. Required where the rules use it.
  public var pointValue: Fixed?
  /// Points per unit of weight (尺度): 1 for a DIP catalog (its ×1000 travels with it), 100 for DRG 点数法.
  public var pointsPerWeight: Int64
  /// Low threshold (ratio to the benchmark), scale 4.
  public var lowThreshold: Fixed
  /// `<` (strict) or `≤`.
  public var lowCmp: Comparison
  /// Low formula.
  public var lowFormula: LowFormula
  /// High threshold when no bands are given, scale 4.
  public var highThreshold: Fixed
  /// `>` (strict) or `≥`.
  public var highCmp: Comparison
  /// DRG high thresholds by weight; empty means `highThreshold` for every group.
  public var highBands: [HighBand]
  /// High formula.
  public var highFormula: HighFormula
  /// The extreme cap on r (DIP20 and 济宁: 5); nil for none.
  public var highCap: Fixed?
  /// What happens above the cap.
  public var extreme: ExtremeRule
  /// The benchmark.
  public var benchmark: Benchmark
  /// Whether the hospital coefficient multiplies outlier scores (`ratio` low and `linear-2020` high).
  public var coefOnOutliers: Bool
  /// Where the auxiliary coefficient enters the outlier formulas (`aux_role`, default `weight`).
  public var auxRole: AuxRole = .weight
  /// Ratio above which a case is a 特例单议 candidate; nil: the high threshold.
  public var specialThreshold: Fixed?
  /// Quota of approved special cases as a share of the pool's discharges (DIP 0.005, DRG 0.05; §2.4).
  public var specialQuota: Fixed
  /// Ungrouped cases: points = cost ÷ point value × this factor (济宁 0.7) [U].
  public var ungroupedFactor: Fixed
  /// 基层病种 get no institution coefficient (DIP3 p.48; GC25 第十九条).
  public var basicNoCoef: Bool
  /// Groups that are 基层病种 besides cases marked `dip_kind = basic`.
  public var basicGroups: Set<String>
  /// 均费调整系数 (yuan per point, scale 6) for the score-factor benchmark: 职工 (insutype 310).
  public var avgFactorEmployee: Fixed?
  /// The same for 居民 (insutype 390).
  public var avgFactorResident: Fixed?
  /// The same for 基层病种.
  public var avgFactorBasic: Fixed?

  /// DIP defaults (DOMAIN.md §8): 0.5 `<` at-cost; 2.0 `>` special-review; payment standard; no coefficient on
  /// outliers; quota 5‰; ungrouped 0.7.
  public static let dipDefaults = SchemeRules(
    pointValue: nil, pointsPerWeight: 1, lowThreshold: Fixed(raw: 5_000, scale: 4), lowCmp: .strict,
    lowFormula: .atCost, highThreshold: Fixed(raw: 20_000, scale: 4), highCmp: .strict, highBands: [],
    highFormula: .specialReview, highCap: nil, extreme: .cap, benchmark: .paymentStandard, coefOnOutliers: false,
    specialThreshold: nil, specialQuota: Fixed(raw: 50, scale: 4), ungroupedFactor: Fixed(raw: 7_000, scale: 4),
    basicNoCoef: true, basicGroups: [], avgFactorEmployee: nil, avgFactorResident: nil, avgFactorBasic: nil)

  /// DRG defaults (DOMAIN.md §8 "DRG"): 0.4 `<` at cost (按项目); high bands 3 / 2 / 1.5 by weight ≤1, ≤2,
  /// above (浙江, with weights in RW = 基准点数 ÷ 100); special review; quota 5%.
  public static let drgDefaults: SchemeRules = {
    var r = dipDefaults
    r.lowThreshold = Fixed(raw: 4_000, scale: 4)
    r.highThreshold = Fixed(raw: 30_000, scale: 4)
    r.highBands = [
      HighBand(weightLimit: Fixed(raw: 10_000, scale: 4), inclusive: true, threshold: Fixed(raw: 30_000, scale: 4)),
      HighBand(weightLimit: Fixed(raw: 20_000, scale: 4), inclusive: true, threshold: Fixed(raw: 20_000, scale: 4)),
      HighBand(weightLimit: nil, inclusive: true, threshold: Fixed(raw: 15_000, scale: 4)),
    ]
    r.specialQuota = Fixed(raw: 500, scale: 4)
    r.basicNoCoef = true
    return r
  }()

  /// Every key a scheme section may hold.
  static let keys = [
    "point_value", "points_per_weight", "low_threshold", "low_cmp", "low_formula", "high_threshold", "high_cmp",
    "high_bands", "high_formula", "high_cap", "extreme", "benchmark", "coef_on_outliers", "aux_role",
    "special_threshold",
    "special_quota", "ungrouped_factor", "basic_no_coef", "basic_groups", "avg_factor",
  ]

  /// Reads one scheme section over its defaults.
  static func load(_ p: Params, _ section: String, defaults: SchemeRules) throws(MIError) -> SchemeRules {
    var r = defaults
    let k = { (name: String) in "\(section).\(name)" }
    r.pointValue = try p.fixed(k("point_value"), scale: 6)
    if let pv = r.pointValue, pv.raw <= 0 { throw p.invalid(k("point_value"), "must be greater than 0") }
    if let n = try p.int(k("points_per_weight")) {
      guard n >= 1 else { throw p.invalid(k("points_per_weight"), "must be a whole number of at least 1") }
      r.pointsPerWeight = Int64(n)
    }
    r.lowThreshold = try ratio(p, k("low_threshold")) ?? r.lowThreshold
    r.lowCmp = try comparison(p, k("low_cmp"), low: true) ?? r.lowCmp
    r.lowFormula = LowFormula(
      rawValue: try p.choice(
        k("low_formula"), LowFormula.allCases.map(\.rawValue),
        default: r.lowFormula.rawValue))!
    let highGiven = try ratio(p, k("high_threshold"))
    r.highCmp = try comparison(p, k("high_cmp"), low: false) ?? r.highCmp
    let bands = try p.tables(k("high_bands"))
    if !bands.isEmpty && highGiven != nil {
      throw p.invalid(k("high_bands"), "give high_threshold or high_bands, not both")
    }
    if let highGiven {
      r.highThreshold = highGiven
      r.highBands = []
    }
    if !bands.isEmpty { r.highBands = try highBands(p, k("high_bands"), bands) }
    r.highFormula = HighFormula(
      rawValue: try p.choice(
        k("high_formula"), HighFormula.allCases.map(\.rawValue),
        default: r.highFormula.rawValue))!
    r.highCap = try ratio(p, k("high_cap"))
    r.extreme = ExtremeRule(
      rawValue: try p.choice(
        k("extreme"), ExtremeRule.allCases.map(\.rawValue),
        default: r.extreme.rawValue))!
    r.benchmark = Benchmark(
      rawValue: try p.choice(
        k("benchmark"), Benchmark.allCases.map(\.rawValue),
        default: r.benchmark.rawValue))!
    r.coefOnOutliers = try p.bool(k("coef_on_outliers")) ?? r.coefOnOutliers
    r.auxRole = AuxRole(
      rawValue: try p.choice(k("aux_role"), AuxRole.allCases.map(\.rawValue), default: r.auxRole.rawValue))!
    r.specialThreshold = try ratio(p, k("special_threshold"))
    if let q = try p.fixed(k("special_quota"), scale: 4, in: Fixed(raw: 0, scale: 4)...Fixed(raw: 10_000, scale: 4)) {
      r.specialQuota = q
    }
    r.ungroupedFactor =
      try p.fixed(
        k("ungrouped_factor"), scale: 4,
        in: Fixed(raw: 0, scale: 4)...Fixed(raw: 10_000, scale: 4)) ?? r.ungroupedFactor
    r.basicNoCoef = try p.bool(k("basic_no_coef")) ?? r.basicNoCoef
    r.basicGroups = Set(try p.strings(k("basic_groups")) ?? [])
    r.avgFactorEmployee = try factor(p, k("avg_factor.employee"))
    r.avgFactorResident = try factor(p, k("avg_factor.resident"))
    r.avgFactorBasic = try factor(p, k("avg_factor.basic"))
    try ScoringParams.checkKnown(p, k("avg_factor"), ["employee", "resident", "basic"])
    try ScoringParams.checkKnown(p, section, keys)
    // Cross-key checks: thresholds in order, and the values the chosen rules need.
    for t in r.highBands.isEmpty ? [r.highThreshold] : r.highBands.map(\.threshold) {
      if t <= r.lowThreshold {
        throw p.invalid(k("low_threshold"), "\(r.lowThreshold) must be below the high threshold \(t)")
      }
    }
    if let cap = r.highCap, cap <= (r.highBands.map(\.threshold).max() ?? r.highThreshold) {
      throw p.invalid(k("high_cap"), "\(cap) must be above the high threshold")
    }
    if p.has(section) {
      if r.benchmark == .paymentStandard && r.pointValue == nil {
        throw p.invalid(k("point_value"), "required when benchmark is payment-standard")
      }
      if r.benchmark == .scoreFactor && (r.avgFactorEmployee == nil || r.avgFactorResident == nil) {
        throw p.invalid(k("avg_factor"), "employee and resident are required when benchmark is score-factor")
      }
      if r.highFormula == .deduct && r.pointValue == nil {
        throw p.invalid(k("point_value"), "required by high_formula deduct")
      }
    }
    return r
  }

  /// A ratio threshold: a number ≥ 0 with at most 4 decimals.
  static func ratio(_ p: Params, _ key: String) throws(MIError) -> Fixed? {
    guard let f = try p.fixed(key, scale: 4) else { return nil }
    guard f.raw > 0 else { throw p.invalid(key, "must be greater than 0") }
    return f
  }

  /// A yuan-per-point factor with at most 6 decimals, > 0.
  static func factor(_ p: Params, _ key: String) throws(MIError) -> Fixed? {
    guard let f = try p.fixed(key, scale: 6) else { return nil }
    guard f.raw > 0 else { throw p.invalid(key, "must be greater than 0") }
    return f
  }

  /// `<`/`≤` (low) or `>`/`≥` (high).
  static func comparison(_ p: Params, _ key: String, low: Bool) throws(MIError) -> Comparison? {
    guard let s = try p.string(key) else { return nil }
    switch (low, s) {
    case (true, "<"), (false, ">"): return .strict
    case (true, "<="), (true, "≤"), (false, ">="), (false, "≥"): return .inclusive
    default:
      throw p.invalid(
        key,
        low ? "expected \"<\" or \"≤\" (\"<=\"), found \"\(s)\"" : "expected \">\" or \"≥\" (\">=\"), found \"\(s)\"")
    }
  }

  /// Reads `high_bands = [{ below = 1.0, threshold = 3.0 }, …, { threshold = 1.3 }]`: each band has `below`
  /// (strict) or `upto` (inclusive) weight, in increasing order, and the last may have neither (all above).
  static func highBands(_ p: Params, _ key: String, _ tables: [TOMLTable]) throws(MIError) -> [HighBand] {
    var out: [HighBand] = []
    for (i, t) in tables.enumerated() {
      let here = "\(key)[\(i)]"
      for k in t.keys.sorted() where !["below", "upto", "threshold"].contains(k) {
        throw p.invalid("\(here).\(k)", "unknown key (expected below, upto, threshold)")
      }
      func number(_ k: String, scale: Int) throws(MIError) -> Fixed? {
        guard let v = t[k] else { return nil }
        guard let text = decimalText(v), let f = Fixed(text, scale: scale), f.raw > 0 else {
          throw p.invalid("\(here).\(k)", "expected a number greater than 0 with at most \(scale) decimals")
        }
        return f
      }
      guard let threshold = try number("threshold", scale: 4) else { throw p.invalid("\(here).threshold", "required") }
      let below = try number("below", scale: 4)
      let upto = try number("upto", scale: 4)
      if below != nil && upto != nil { throw p.invalid(here, "give below or upto, not both") }
      let limit = below ?? upto
      if let prev = out.last {
        guard let pl = prev.weightLimit else { throw p.invalid(here, "a band after the open-ended band") }
        if let limit, limit <= pl { throw p.invalid(here, "bands must be in increasing order of weight") }
      }
      out.append(HighBand(weightLimit: limit, inclusive: upto != nil || limit == nil, threshold: threshold))
    }
    return out
  }

  /// The high threshold of a group with `weight` (raw, scale 4) in a version whose weights carry `scale`
  /// (bands compare the relative weight, weight ÷ scale).
  public func highThreshold(weight: Int64, scale: Int64 = 1) -> Fixed {
    if highBands.isEmpty { return highThreshold }
    let w = Fixed(raw: scale > 1 ? Fixed.divideRounded(weight, by: scale) : weight, scale: 4)
    for b in highBands {
      guard let limit = b.weightLimit else { return b.threshold }
      if b.inclusive ? w <= limit : w < limit { return b.threshold }
    }
    return highBands.last!.threshold
  }
}

/// The exact decimal text of a TOML number or numeric string (as `Params` reads numbers: never through binary
/// arithmetic beyond Swift's shortest round-trip text).
func decimalText(_ v: TOMLValueConvertible) -> String? {
  if let i = v.int { return String(i) }
  if let d = v.double {
    guard d.isFinite else { return nil }
    let s = d.description
    return s.contains("e") ? nil : s
  }
  return v.string
}

/// One 按床日 category (DOMAIN.md §2.5; seed 000 "医疗康复、慢性精神疾病、部分传染病等长期住院实施按床日付费").
///
/// A case belongs to it when its group or its discharge department is listed, its hospital level is listed (or
/// none are), and it stayed at least `min_los` days. Points = Σ daily points over the paid days (capped at
/// `max_days`), with daily points falling by segment: `segments."30" = 80` pays days 1–30 at 80, then the next
/// segment, and `daily_points` after the last.
public struct PerDiemCategory: Sendable, Equatable {
  /// The table key (`rehab`): written in `score_rule`.
  public var key: String
  /// A label (医疗康复).
  public var name: String
  /// Group codes (DRG or DIP) in the category.
  public var groups: Set<String>
  /// Discharge departments (`dscg_caty`) in the category.
  public var departments: Set<String>
  /// Hospital levels the category applies to; empty for all.
  public var levels: Set<String>
  /// Minimum stay in days; shorter stays are scored by their group.
  public var minLOS: Int
  /// Paid-day cap; nil for none.
  public var maxDays: Int?
  /// Daily points after the segments (scale 4).
  public var dailyPoints: Fixed
  /// (last day of the segment, daily points), in increasing day order.
  public var segments: [(throughDay: Int, daily: Fixed)]
  /// Whether the hospital coefficient multiplies the points (default false: levels get their own rates).
  public var applyCoef: Bool

  /// Every key a category may hold.
  static let keys = [
    "name", "groups", "departments", "levels", "min_los", "max_days", "daily_points", "segments", "apply_coef",
  ]

  /// Equal by every field (tuples are not Equatable).
  public static func == (a: PerDiemCategory, b: PerDiemCategory) -> Bool {
    a.key == b.key && a.name == b.name && a.groups == b.groups && a.departments == b.departments
      && a.levels == b.levels && a.minLOS == b.minLOS && a.maxDays == b.maxDays && a.dailyPoints == b.dailyPoints
      && a.segments.map(\.throughDay) == b.segments.map(\.throughDay)
      && a.segments.map(\.daily) == b.segments.map(\.daily)
      && a.applyCoef == b.applyCoef
  }

  /// Reads `[scoring.per_diem.KEY]`.
  static func load(_ p: Params, key: String) throws(MIError) -> PerDiemCategory {
    let base = "scoring.per_diem.\"\(key)\""
    let k = { (name: String) in "\(base).\(name)" }
    guard let daily = try p.fixed(k("daily_points"), scale: 4) else { throw p.invalid(k("daily_points"), "required") }
    guard daily.raw >= 0 else { throw p.invalid(k("daily_points"), "must not be negative") }
    let groups = try p.strings(k("groups")) ?? []
    let departments = try p.strings(k("departments")) ?? []
    if groups.isEmpty && departments.isEmpty {
      throw p.invalid(k("groups"), "a per-diem category needs groups or departments")
    }
    let levels = try p.strings(k("levels")) ?? []
    for l in levels where !["0", "1", "2", "3"].contains(l) {
      throw p.invalid(k("levels"), "hospital level must be \"0\", \"1\", \"2\" or \"3\", found \"\(l)\"")
    }
    let minLOS = try p.int(k("min_los")) ?? 0
    guard minLOS >= 0 else { throw p.invalid(k("min_los"), "must not be negative") }
    let maxDays = try p.int(k("max_days"))
    if let maxDays, maxDays < 1 { throw p.invalid(k("max_days"), "must be at least 1") }
    if let maxDays, maxDays < minLOS {
      // Every case of the category stays at least min_los days, so a lower cap would pay none of its days.
      throw p.invalid(k("max_days"), "\(maxDays) is below min_los \(minLOS): no stay of the category could be paid")
    }
    var segments: [(Int, Fixed)] = []
    let segKeys = try p.keys(k("segments"))
    for s in segKeys {
      guard let day = Int(s), day >= 1 else {
        throw p.invalid("\(k("segments")).\"\(s)\"", "segment keys are the last day of the segment (\"30\")")
      }
      guard let v = try p.fixed("\(k("segments")).\"\(s)\"", scale: 4), v.raw >= 0 else {
        throw p.invalid("\(k("segments")).\"\(s)\"", "expected daily points ≥ 0")
      }
      segments.append((day, v))
    }
    segments.sort { $0.0 < $1.0 }
    try ScoringParams.checkKnown(p, base, keys)
    return PerDiemCategory(
      key: key, name: try p.string(k("name")) ?? key, groups: Set(groups), departments: Set(departments),
      levels: Set(levels), minLOS: minLOS, maxDays: maxDays, dailyPoints: daily,
      segments: segments.map { (throughDay: $0.0, daily: $0.1) }, applyCoef: try p.bool(k("apply_coef")) ?? false)
  }

  /// The points of a stay of `days` days (scale 4 raw), before any coefficient: Σ daily points of paid days.
  public func points(days: Int) -> (points: Int64, paidDays: Int) {
    let paid = maxDays.map { min(days, $0) } ?? days
    var total: Int64 = 0
    var day = 0
    for s in segments where day < paid {
      let upto = min(s.throughDay, paid)
      if upto > day {
        total += Int64(upto - day) * s.daily.raw
        day = upto
      }
    }
    if day < paid { total += Int64(paid - day) * dailyPoints.raw }
    return (total, paid)
  }
}
