import MICore

/// The class of a scored case (DESIGN.md §2, DOMAIN.md §2.3–2.5).
public enum CaseClass: String, Sendable, Equatable, CaseIterable {
  /// Between the thresholds: `RW × coef`.
  case normal
  /// Below the low threshold.
  case low
  /// Above the high threshold.
  case high
  /// Approved by 特例单议 (from an approval list only, §2.4): paid at cost.
  case special
  /// Not grouped (`group_status` ungroupable or invalid): the ungrouped factor.
  case ungrouped
  /// 按床日 (§2.5).
  case perDiem = "per-diem"

  /// Position in `allCases` (for counters).
  var index: Int {
    switch self {
    case .normal: 0
    case .low: 1
    case .high: 2
    case .special: 3
    case .ungrouped: 4
    case .perDiem: 5
    }
  }
}

/// What the scorer needs of one grouped case (the fields of DOMAIN.md §2 that mi-group and the settlement give).
public struct CaseInput: Sendable, Equatable {
  /// `group_status`: grouped, ambiguous, ungroupable, invalid.
  public var status: String
  /// `group_code`.
  public var groupCode: String?
  /// `dip_kind` (`basic` gets no institution coefficient).
  public var dipKind: String?
  /// `dip_aux`: the auxiliary subtype, if any.
  public var aux: String?
  /// `medfee_sumamt` in fen.
  public var costFen: Int64
  /// `hosp_lv` (from the record or the registry).
  public var level: String?
  /// `fixmedins_code`.
  public var hospital: String?
  /// `act_ipt_days`.
  public var days: Int?
  /// `dscg_caty`.
  public var department: String?
  /// `insutype` (310 职工, 390 居民), for the score-factor benchmark.
  public var insutype: String?
  /// On the approved 特例单议 list.
  public var approved: Bool

  /// Creates an input.
  public init(
    status: String = "grouped", groupCode: String?, dipKind: String? = nil, aux: String? = nil, costFen: Int64,
    level: String? = nil, hospital: String? = nil, days: Int? = nil, department: String? = nil,
    insutype: String? = nil, approved: Bool = false
  ) {
    self.status = status
    self.groupCode = groupCode
    self.dipKind = dipKind
    self.aux = aux
    self.costFen = costFen
    self.level = level
    self.hospital = hospital
    self.days = days
    self.department = department
    self.insutype = insutype
    self.approved = approved
  }
}

/// The score of one case: the fields mi-score writes.
public struct CaseScore: Sendable, Equatable {
  /// `weight`: RW or 分值, scale 4; nil when the case has no group.
  public var weight: Int64?
  /// `coef`: the coefficient that entered the formula (institution × auxiliary), scale 4.
  public var coef: Int64
  /// `case_class`.
  public var caseClass: CaseClass
  /// `points`, scale 4.
  public var points: Int64
  /// `benchmark_amt` in fen (the amount the cost was compared with); nil when not classified.
  public var benchmarkFen: Int64?
  /// `cost_ratio` = cost ÷ benchmark, scale 4; nil when not classified.
  public var costRatio: Int64?
  /// `score_rule`: `scheme:class[:variant]`, e.g. `dip:high:linear-2020`.
  public var rule: String
  /// `special_candidate`: above the special threshold.
  public var specialCandidate: Bool
}

/// Scores cases under one weights version and one set of parameters (DOMAIN.md §2.3–2.5).
///
/// Every amount is exact: weights, coefficients and thresholds are fixed-point, costs are fen, and a formula is
/// evaluated as one fraction rounded once, half away from zero, to the points scale 4 (DESIGN.md §3).
public struct CaseScorer: Sendable {
  /// The weights.
  public let table: WeightTable
  /// All the scoring parameters.
  public let params: ScoringParams
  /// The rules of the table's scheme.
  public let rules: SchemeRules
  /// The params version name, for messages.
  public let paramsName: String

  /// 1.0000 raw.
  static let oneRaw: Int64 = 10_000

  /// The rule names of the common classes, built once (a string per case would cost an allocation each).
  let ruleNormal: String
  let ruleLow: String
  let ruleHigh: String
  /// Every group and department code of the per-diem categories.
  let perDiemCodes: Set<String>

  /// Creates a scorer.
  public init(table: WeightTable, params: ScoringParams, paramsName: String) {
    self.table = table
    self.params = params
    self.rules = params.rules(table.scheme)
    self.paramsName = paramsName
    let scheme = table.scheme.rawValue
    ruleNormal = "\(scheme):normal"
    ruleLow = "\(scheme):low:\(rules.lowFormula.rawValue)"
    ruleHigh = "\(scheme):high:\(rules.highFormula.rawValue)"
    perDiemCodes = params.perDiem.reduce(into: Set<String>()) { $0.formUnion($1.groups.union($1.departments)) }
  }

  /// Whether the cases' `act_ipt_days` and `dscg_caty` matter (there are per-diem categories).
  public var needsStay: Bool { !params.perDiem.isEmpty }
  /// Whether the cases' `dip_aux` matters (the catalog or the params have auxiliary coefficients; mi-group
  /// writes `dip_aux` only from the catalog's auxiliary entries).
  public var needsAux: Bool { !params.auxCoef.isEmpty || !table.auxCoefs.isEmpty }
  /// Whether the cases' `insutype` matters (the score-factor benchmark).
  public var needsInsutype: Bool { rules.benchmark == .scoreFactor }

  /// The section name of the scheme's rules, for messages.
  var section: String { "scoring.\(table.scheme.rawValue)" }

  /// A parameter the case needs but the params lack: a reference error (exit 3) naming the key.
  func missing(_ key: String, _ why: String) -> MIError {
    MIError.reference("\(paramsName): key \"\(section).\(key)\": required \(why)")
  }

  /// Scores one case. A bad or inconsistent case throws `FieldError` naming the field; a parameter the case needs
  /// but the params lack throws `MIError.reference`.
  public func score(_ c: CaseInput) throws -> CaseScore {
    let scheme = table.scheme.rawValue
    let weight = c.groupCode.flatMap { table.groups[$0] }
    if let cat = perDiemCategory(c) { return try perDiem(c, cat, weight: weight?.weight) }
    let grouped = c.status == "grouped" || (c.status == "ambiguous" && c.groupCode != nil)
    guard grouped, let code = c.groupCode else { return try ungrouped(c) }
    guard let weight else {
      throw FieldError(
        "group_code", "'\(code)' is not in \(scheme == "dip" ? "DIP catalog" : "DRG weights") '\(table.name)'")
    }
    let basic = weight.basic || c.dipKind == "basic" || rules.basicGroups.contains(code)
    var coef = CaseScorer.oneRaw
    if !(basic && rules.basicNoCoef) {
      coef = try institutionCoef(c)
    }
    var aux = CaseScorer.oneRaw
    if let sub = c.aux {
      guard let f = params.auxCoef[sub]?.raw ?? table.auxCoefs[sub] else {
        throw FieldError(
          "dip_aux", "no coefficient for subtype '\(sub)' in catalog '\(table.name)' or params '\(paramsName)'")
      }
      aux = f
    }
    do {
      return try outlierScore(c, code: code, weight: weight, coef: coef, aux: aux, basic: basic)
    } catch is Exact.Overflow {
      throw FieldError("medfee_sumamt", "amount too large to score exactly")
    }
  }

  /// The 医疗机构调节系数 of the case's hospital (DOMAIN.md §2.2), raw scale 4.
  func institutionCoef(_ c: CaseInput) throws(FieldError) -> Int64 {
    if let f = params.coefficient(hospital: c.hospital, level: c.level, catalog: table.levelCoefs) { return f }
    guard let level = c.level else {
      throw FieldError("hosp_lv", "missing (give it in the record or name a registry with --hospitals)")
    }
    throw FieldError(
      "hosp_lv", "no coefficient for level '\(level)' in params '\(paramsName)' or catalog '\(table.name)'")
  }

  /// Normal, low, high or special: DOMAIN.md §2.3 (the rule table) and §2.4.
  func outlierScore(_ c: CaseInput, code: String, weight gw: GroupWeight, coef: Int64, aux: Int64, basic: Bool) throws
    -> CaseScore
  {
    let scheme = table.scheme.rawValue
    let w = gw.weight
    // The normal path builds its fractions directly from the fixed-point raws (no common-factor search), so a
    // case between the thresholds costs a few 128-bit multiplications and three divisions.
    let wa = try Exact.mul(Int128(w), Int128(aux))
    // Base score without the institution coefficient, in points: W × A × S (§2.3 "病例分值 = RW_i × 系数 × 辅助").
    let weightPoints = Exact(try Exact.mul(wa, Int128(rules.pointsPerWeight)), 100_000_000)
    let base = Exact(try Exact.mul(weightPoints.n, Int128(coef)), 1_000_000_000_000)
    let bench = try benchmark(c, weight: gw, base: base, basic: basic)
    let threshold = rules.highThreshold(weight: w, scale: table.scale)
    var result = CaseScore(
      weight: w, coef: try Exact(try Exact.mul(Int128(coef), Int128(aux)), 100_000_000).rounded(scale: 4),
      caseClass: .normal, points: try base.rounded(scale: 4), benchmarkFen: try bench.rounded(scale: 2),
      costRatio: nil, rule: ruleNormal, specialCandidate: false)
    guard bench.n != 0 else { throw FieldError("group_code", "benchmark of '\(code)' is zero") }
    // r = cost ÷ benchmark, both in yuan: (fen / 100) × d / n.
    let r = Exact(try Exact.mul(Int128(c.costFen), bench.d), try Exact.mul(bench.n, 100))
    result.costRatio = try r.rounded(scale: 4)
    let specialT = Exact(raw: (rules.specialThreshold ?? threshold).raw, scale: 4)
    let cmpSpecial = try r.compare(specialT)
    result.specialCandidate = rules.highCmp == .strict ? cmpSpecial > 0 : cmpSpecial >= 0
    if c.approved {
      // §2.4: an approved case is paid 按项目 — at cost: the base score × r.
      result.caseClass = .special
      result.points = try base.times(r).rounded(scale: 4)
      result.rule = "\(scheme):special:approved"
      return result
    }
    let low = Exact(raw: rules.lowThreshold.raw, scale: 4)
    let cmpLow = try r.compare(low)
    if rules.lowCmp == .strict ? cmpLow < 0 : cmpLow <= 0 {
      result.caseClass = .low
      result.rule = ruleLow
      try lowPoints(&result, r: r, base: base, weightPoints: weightPoints, w: w, aux: aux)
      return result
    }
    let high = Exact(raw: threshold.raw, scale: 4)
    let cmpHigh = try r.compare(high)
    guard rules.highCmp == .strict ? cmpHigh > 0 : cmpHigh >= 0 else { return result }
    result.caseClass = .high
    result.rule = ruleHigh
    var rr = r
    if let cap = rules.highCap, try r.compare(Exact(raw: cap.raw, scale: 4)) > 0 {
      switch rules.extreme {
      case .cap:
        rr = Exact(raw: cap.raw, scale: 4)
        result.rule += ":capped"
      case .normal:
        // 济宁: r > 5 keeps the normal standard; the case goes to review (special_candidate).
        result.rule = "\(scheme):high:extreme-normal"
        result.specialCandidate = true
        return result
      }
    }
    try highPoints(
      &result, rr: rr, high: high, base: base, weightPoints: weightPoints, bench: bench, w: w, coef: coef, aux: aux)
    return result
  }

  /// The points of a low case by `low_formula` (DOMAIN.md §2.3), from its ratio `r`; sets `coef` too where the formula
  /// leaves the institution's coefficient out.
  func lowPoints(_ result: inout CaseScore, r: Exact, base: Exact, weightPoints: Exact, w: Int64, aux: Int64) throws {
    switch rules.lowFormula {
    case .atCost:
      // DIP3 p.67: RW × 系数 × cost/(支付标准 × 系数) = base × r (paid at cost with the payment standard).
      result.points = try base.times(r).rounded(scale: 4)
    case .ratio:
      // DIP20: RW × cost/avg; 济宁 without the coefficient, others with it (coef_on_outliers).
      let (f, written) = try withoutCoef(weightPoints, w: w, aux: aux)
      result.points = try (rules.coefOnOutliers ? base : f).times(r).rounded(scale: 4)
      if !rules.coefOnOutliers { result.coef = written }
    }
  }

  /// The points of a high case by `high_formula` (DOMAIN.md §2.3), from its ratio `rr` (capped where a cap
  /// applies) and the high threshold `high`; sets `coef` too where the formula leaves the institution's
  /// coefficient out.
  func highPoints(
    _ result: inout CaseScore, rr: Exact, high: Exact, base: Exact, weightPoints: Exact, bench: Exact, w: Int64,
    coef: Int64, aux: Int64
  ) throws {
    let coefE = Exact(Int128(coef), 10_000)
    let one = Exact(1)
    switch rules.highFormula {
    case .specialReview:
      // DIP3 p.67: no formula; the group standard until a review approves it (§2.4).
      break
    case .linear2020:
      // DIP20: RW × [(r − T) + 1], × 系数 when coef_on_outliers (§9.3: 1500 × 1.5 = 2250; × 1.05 = 2362.5).
      let factor = try rr.minus(high).plus(one)
      let (f, written) = try withoutCoef(weightPoints, w: w, aux: aux)
      result.points = try (rules.coefOnOutliers ? base : f).times(factor).clampedAtZero.rounded(scale: 4)
      if !rules.coefOnOutliers { result.coef = written }
    case .addCoef:
      // 济宁 / DRGX LinearAdd: RW × (r − T + 系数) (§9.3: 1500 × 1.55 = 2325; §9.7: 2.0 × 100 × 1.5 = 300).
      // aux_role weight: RW × 辅助 × (r − T + 机构系数); coefficient: RW × (r − T + 机构系数 × 辅助).
      if rules.auxRole == .coefficient && aux != CaseScorer.oneRaw {
        let plain = Exact(try Exact.mul(Int128(w), Int128(rules.pointsPerWeight)), 10_000)
        let added = Exact(try Exact.mul(Int128(coef), Int128(aux)), 100_000_000)
        result.points = try plain.times(try rr.minus(high).plus(added)).clampedAtZero.rounded(scale: 4)
      } else {
        let factor = try rr.minus(high).plus(coefE)
        result.points = try weightPoints.times(factor).clampedAtZero.rounded(scale: 4)
      }
    case .atCost:
      result.points = try base.times(rr).rounded(scale: 4)
    case .deduct:
      // DRGX 周口: cost ÷ 全市次均 × 尺度 − (K − 1) × RW × 系数 × 尺度, with cost ÷ 全市次均 × 尺度 = cost ÷ point
      // value (§9.7: 45000 ÷ 90 − 1 × 200 = 300). Evaluated on the capped cost when a cap applies.
      guard let pv = rules.pointValue else { throw missing("point_value", "by high_formula deduct") }
      let atCost = try rr.times(bench).over(Exact(raw: pv.raw, scale: 6))!
      let points = try atCost.minus(try high.minus(one).times(base))
      result.points = try points.clampedAtZero.rounded(scale: 4)
    case .cap:
      // DRGX 盘锦: at cost, capped at the high threshold: base × T.
      result.points = try base.times(high).rounded(scale: 4)
    }
  }

  /// The score an outlier formula scales when the institution's coefficient is left out (`coef_on_outliers`
  /// false), and the coefficient then written: with `aux_role` weight the subtype's weight (W × A × S) and A; with
  /// `aux_role` coefficient the plain weight (W × S) and 1.0000.
  func withoutCoef(_ weightPoints: Exact, w: Int64, aux: Int64) throws -> (Exact, Int64) {
    guard rules.auxRole == .coefficient else { return (weightPoints, aux) }
    return (Exact(try Exact.mul(Int128(w), Int128(rules.pointsPerWeight)), 10_000), CaseScorer.oneRaw)
  }

  /// The benchmark amount in yuan (exact): DOMAIN.md §2.3 "The benchmark `avg` also varies".
  func benchmark(_ c: CaseInput, weight gw: GroupWeight, base: Exact, basic: Bool) throws -> Exact {
    switch rules.benchmark {
    case .paymentStandard:
      // 同级别 支付标准 = 分值 × 点值 × 系数 (DIP) or 费率 × RW × 系数 (DRG), at the classifying point value.
      guard let pv = rules.pointValue else { throw missing("point_value", "by benchmark payment-standard") }
      return Exact(try Exact.mul(base.n, Int128(pv.raw)), try Exact.mul(base.d, 1_000_000))
    case .lastYearMean:
      guard let fen = c.level.flatMap({ gw.lastMeanFen[$0] }) ?? gw.lastMeanFen[""] else {
        throw FieldError(
          "group_code",
          "catalog '\(table.name)' has no last-year mean for '\(c.groupCode ?? "")' at level '\(c.level ?? "")'")
      }
      guard fen > 0 else { throw FieldError("group_code", "last-year mean of '\(c.groupCode ?? "")' is zero") }
      return Exact(Int128(fen), 100)
    case .scoreFactor:
      let factor: Fixed?
      if basic, let b = rules.avgFactorBasic {
        factor = b
      } else {
        switch c.insutype {
        case "310": factor = rules.avgFactorEmployee
        case "390": factor = rules.avgFactorResident
        case nil: throw FieldError("insutype", "missing (the score-factor benchmark is per 险种)")
        default:
          throw FieldError("insutype", "expected 310 or 390 for the score-factor benchmark, found '\(c.insutype!)'")
        }
      }
      guard let factor else { throw missing("avg_factor", "by benchmark score-factor") }
      return Exact(try Exact.mul(Int128(gw.weight), Int128(factor.raw)), 10_000_000_000)
    }
  }

  /// Ungrouped: points = cost ÷ point value × ungrouped factor (DOMAIN.md §1.3 "paid with an appropriate gap";
  /// 济宁 `cost/avg × 0.7`) [U].
  func ungrouped(_ c: CaseInput) throws -> CaseScore {
    guard let pv = rules.pointValue else { throw missing("point_value", "to score ungrouped cases") }
    let f = rules.ungroupedFactor
    do {
      let points = try Exact(Int128(c.costFen), 100).over(Exact(raw: pv.raw, scale: 6))!
        .times(Exact(raw: f.raw, scale: 4))
      return CaseScore(
        weight: nil, coef: CaseScorer.oneRaw, caseClass: .ungrouped, points: try points.rounded(scale: 4),
        benchmarkFen: nil, costRatio: nil, rule: "\(table.scheme.rawValue):ungrouped:factor-\(f)",
        specialCandidate: false)
    } catch is Exact.Overflow {
      throw FieldError("medfee_sumamt", "amount too large to score exactly")
    }
  }

  /// The first per-diem category the case belongs to (DOMAIN.md §2.5), or nil.
  func perDiemCategory(_ c: CaseInput) -> PerDiemCategory? {
    if params.perDiem.isEmpty { return nil }
    // One or two hash lookups rule most cases out before the categories are tried in order.
    let listed = c.groupCode.map { perDiemCodes.contains($0) } ?? false
    guard listed || (c.department.map { perDiemCodes.contains($0) } ?? false) else { return nil }
    for cat in params.perDiem {
      let inGroup = c.groupCode.map { cat.groups.contains($0) } ?? false
      let inDept = c.department.map { cat.departments.contains($0) } ?? false
      guard inGroup || inDept else { continue }
      if !cat.levels.isEmpty && !(c.level.map { cat.levels.contains($0) } ?? false) { continue }
      if let d = c.days, d < cat.minLOS { continue }
      return cat
    }
    return nil
  }

  /// 按床日: points = Σ daily points over the paid days (DOMAIN.md §2.5 product rule; 金华 `日基准点数 × 住院天数`).
  func perDiem(_ c: CaseInput, _ cat: PerDiemCategory, weight: Int64?) throws -> CaseScore {
    guard let days = c.days else {
      throw FieldError("act_ipt_days", "missing (needed for per-diem category '\(cat.key)')")
    }
    guard days >= 0 else { throw FieldError("act_ipt_days", "must not be negative") }
    var (points, paid) = cat.points(days: days)
    var coef = CaseScorer.oneRaw
    if cat.applyCoef {
      coef = try institutionCoef(c)
      points = Fixed.mulDiv(points, coef, 10_000)
    }
    let capped = paid < days ? ":capped-\(paid)d" : ""
    return CaseScore(
      weight: weight, coef: coef, caseClass: .perDiem, points: points, benchmarkFen: nil, costRatio: nil,
      rule: "\(table.scheme.rawValue):per-diem:\(cat.key)\(capped)", specialCandidate: false)
  }
}
