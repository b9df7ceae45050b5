import MICore

/// How the settlement point value of a pool is found (DOMAIN.md §3.2; DIP3 pp.54–55, BAN 第十六条).
public enum PointMode: String, Sendable, CaseIterable {
  /// 固定: the year-start point value is the settlement value.
  case fixed
  /// 浮动: the settlement value is the year's budget over the year's points.
  case floating
  /// 弹性: a base share of the budget buys points at the fixed value, the rest floats over the increment.
  case elastic
}

/// How the fund part of the points amount is found (DOMAIN.md §3.4).
public enum FundPartMode: String, Sendable, CaseIterable {
  /// 按医保支付比例: points amount × the pool's 医保支付比例 (DIP3 spec).
  case ratio
  /// 差额: points amount − 个人负担 − other funds, at least 0, per hospital (南充 tool [S NC]).
  case residual
}

/// What happens to the quality deposit withheld each month at the year-end clearing.
public enum DepositReturn: String, Sendable, CaseIterable {
  /// Returned in full.
  case full
  /// Returned × the hospital's assessment coefficient (at most 1): GC25 第二十六条 "against the assessment".
  case byAssessment = "by-assessment"
}

/// One band of the 结余留用 / 超支分担 table: the part of the difference up to `upto` × the 按项目 amount gets `share`.
public struct Band: Sendable, Equatable {
  /// Upper bound of the band as a rate of the 按项目 amount (scale 4); nil for the open last band.
  public var upto: Fixed?
  /// Share (scale 4): for 结余 the share the hospital keeps, for 超支 the share the fund bears.
  public var share: Fixed

  /// Creates a band.
  public init(upto: Fixed?, share: Fixed) {
    self.upto = upto
    self.share = share
  }
}

/// The parameters of one pool (险种): its budget and how its year-start point value is known.
public struct PoolParams: Sendable, Equatable {
  /// The pool's name, the `insutype` of its cases (`310` 职工, `390` 居民).
  public var pool: String
  /// 当年医保基金可用于病种付费总额, fen; nil when the params give none (then points are an error, except in fixed mode).
  public var budgetFen: Int64?
  /// 年初点值 (scale 6), given or computed from the history; nil when neither is given.
  public var initialPointValue: Fixed?
  /// How the initial point value was found (`given`, `history 1:2:7`), for the pool record.
  public var initialSource: String
  /// 医保支付比例 given (scale 6); nil means computed from the cases (Σ hifp_pay ÷ Σ medfee_sumamt).
  public var payRatio: Fixed?

  /// Creates pool parameters.
  public init(
    pool: String, budgetFen: Int64?, initialPointValue: Fixed?, initialSource: String = "given", payRatio: Fixed? = nil
  ) {
    self.pool = pool
    self.budgetFen = budgetFen
    self.initialPointValue = initialPointValue
    self.initialSource = initialSource
    self.payRatio = payRatio
  }
}

/// The `[clearing]` section of a params version, validated (DOMAIN.md §3, §8 "clear" rows).
///
/// Every value has a default from DOMAIN.md §8 except the budgets, which are the bureau's own. Errors name the key.
public struct ClearingParams: Sendable {
  /// SHA-256 of the `[clearing]` values as written (`Params.digest(section:)`): the `params_sha256` of partial
  /// headers; empty for params built in code.
  public var digest = ""
  /// Pools by name (insutype), sorted by name when iterated through `poolNames`.
  public var pools: [String: PoolParams] = [:]
  /// `point_mode`: fixed | floating | elastic (default floating).
  public var pointMode: PointMode = .floating
  /// `base_increment`: the base share of the elastic mode, 0.8 (8:2) or 0.7 (7:3) (scale 4).
  public var baseShare = Fixed(raw: 8000, scale: 4)
  /// `increment_cap`: the increment point value is at most this × the year-start value (scale 4); nil = no cap.
  public var incrementCap: Fixed?
  /// `point_trim`: none | p2.5-p97.5 (分位数法: cases trimmed by cost per point) | optimal-1d (优值区间: hospitals whose
  /// 每指数点值 is below the pool's) — a reduced 每指数点值 shown in the pool record (DIP3 pp.69–70).
  public var pointTrim = "none"
  /// `fund_part`: ratio | residual (default ratio).
  public var fundPart: FundPartMode = .ratio
  /// `monthly_ratio`: 预拨比例 (scale 4), default 0.95.
  public var monthlyRatio = Fixed(raw: 9500, scale: 4)
  /// `quality_deposit`: 质量保证金 withheld each month (scale 4), default 0.05, at most 0.05 (GC25 第二十六条)
  /// unless `deposit_cap = 0.10` (the DIP3 90/10 example).
  public var qualityDeposit = Fixed(raw: 500, scale: 4)
  /// `deposit_return`: full | by-assessment (default by-assessment).
  public var depositReturn: DepositReturn = .byAssessment
  /// `vbp_return_share`: 集采结余 returned to the hospital (scale 4), default 0.5 (seed 004).
  public var vbpReturnShare = Fixed(raw: 5000, scale: 4)
  /// `carve_out_hv`: whether 高值耗材 (`hv_mcs_amt`) are paid 按项目 outside the points (seed 004), default false.
  public var carveOutHV = false
  /// `budget_net_of_ffs`: whether carve-outs and 特例单议 payments come out of the pool budget before the point value
  /// is found (DIP3 按支出项目分配), default true.
  public var budgetNetOfFFS = true
  /// `assessment_coef`: 考核系数 by hospital, with `default` (scale 4, default 1).
  public var assessmentCoef: [String: Fixed] = [:]
  /// The default 考核系数.
  public var defaultAssessmentCoef = Fixed(raw: 10000, scale: 4)
  /// `surplus_bands`: 结余留用 (share kept by the hospital), in order of `upto`; default: kept in full.
  public var surplusBands: [Band] = [Band(upto: nil, share: Fixed(raw: 10000, scale: 4))]
  /// `overspend_bands`: 超支分担 (share borne by the fund), in order of `upto`; default: borne by the hospital.
  public var overspendBands: [Band] = [Band(upto: nil, share: Fixed(raw: 0, scale: 4))]

  /// Parameters with every default and no pools (for tests and simulations).
  public init() {}

  /// The pool names, sorted.
  public var poolNames: [String] { pools.keys.sorted() }

  /// The assessment coefficient of a hospital.
  public func coefficient(_ code: String) -> Fixed { assessmentCoef[code] ?? defaultAssessmentCoef }

  /// Reads and validates the `[clearing]` section; every error names its key (`mi-catalog import params` calls this).
  public static func load(_ p: Params) throws(MIError) -> ClearingParams {
    var c = ClearingParams()
    c.digest = p.digest(section: "clearing")
    let one = Fixed(raw: 10000, scale: 4)
    let zero = Fixed(raw: 0, scale: 4)
    c.pointMode = PointMode(
      rawValue: try p.choice("clearing.point_mode", PointMode.allCases.map(\.rawValue), default: "floating"))!
    switch try p.choice("clearing.base_increment", ["8:2", "7:3"], default: "8:2") {
    case "7:3": c.baseShare = Fixed(raw: 7000, scale: 4)
    default: c.baseShare = Fixed(raw: 8000, scale: 4)
    }
    c.incrementCap = try p.fixed(
      "clearing.increment_cap", scale: 4, in: Fixed(raw: 1, scale: 4)...Fixed(raw: 100000, scale: 4))
    c.pointTrim = try p.choice("clearing.point_trim", ["none", "p2.5-p97.5", "optimal-1d"], default: "none")
    c.fundPart = FundPartMode(
      rawValue: try p.choice("clearing.fund_part", FundPartMode.allCases.map(\.rawValue), default: "ratio"))!
    c.monthlyRatio = try p.fixed("clearing.monthly_ratio", scale: 4, in: zero...one) ?? c.monthlyRatio
    let cap =
      try p.fixed("clearing.deposit_cap", scale: 4, in: zero...Fixed(raw: 1000, scale: 4)) ?? Fixed(raw: 500, scale: 4)
    c.qualityDeposit = try p.fixed("clearing.quality_deposit", scale: 4, in: zero...cap) ?? c.qualityDeposit
    if c.monthlyRatio + c.qualityDeposit > one {
      throw p.invalid(
        "clearing.quality_deposit",
        "monthly_ratio \(c.monthlyRatio) + quality_deposit \(c.qualityDeposit) is more than 1")
    }
    c.depositReturn = DepositReturn(
      rawValue: try p.choice(
        "clearing.deposit_return", DepositReturn.allCases.map(\.rawValue), default: "by-assessment"))!
    c.vbpReturnShare = try p.fixed("clearing.vbp_return_share", scale: 4, in: zero...one) ?? c.vbpReturnShare
    c.carveOutHV = try p.bool("clearing.carve_out_hv") ?? false
    c.budgetNetOfFFS = try p.bool("clearing.budget_net_of_ffs") ?? true
    for key in try p.keys("clearing.assessment_coef") {
      let path = "clearing.assessment_coef.\"\(key)\""
      guard let v = try p.fixed(path, scale: 4, in: zero...Fixed(raw: 20000, scale: 4)) else { continue }
      if key == "default" { c.defaultAssessmentCoef = v } else { c.assessmentCoef[key] = v }
    }
    if p.has("clearing.surplus_bands") { c.surplusBands = try bands(p, "clearing.surplus_bands") }
    if p.has("clearing.overspend_bands") { c.overspendBands = try bands(p, "clearing.overspend_bands") }
    let weights = try yearWeights(p)
    for name in try p.keys("clearing.pools") {
      c.pools[name] = try pool(p, name, weights: weights, mode: c.pointMode)
    }
    return c
  }

  /// `year_weights = "1:2:7"` (oldest → newest, DIP3; 1:3:6 locally).
  static func yearWeights(_ p: Params) throws(MIError) -> [Int64] {
    let text = try p.string("clearing.year_weights") ?? "1:2:7"
    let parts = text.split(separator: ":").map { Int64($0) }
    guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
      throw p.invalid("clearing.year_weights", "expected positive whole weights like \"1:2:7\", found \"\(text)\"")
    }
    return parts.map { $0! }
  }

  /// One `[clearing.pools.NAME]` table.
  static func pool(_ p: Params, _ name: String, weights: [Int64], mode: PointMode) throws(MIError) -> PoolParams {
    let base = "clearing.pools.\"\(name)\""
    // Params.keys marks a whole table as read, so unknown keys inside a pool are caught here.
    try known(p, base, ["budget", "initial_point_value", "history", "pay_ratio"])
    let budget = try p.fen(base + ".budget")
    if let budget, budget <= 0 { throw p.invalid(base + ".budget", "must be more than 0") }
    var initial = try p.fixed(base + ".initial_point_value", scale: 6)
    var source = "given"
    if let v = initial, v.raw <= 0 { throw p.invalid(base + ".initial_point_value", "must be more than 0") }
    let years = try p.keys(base + ".history")
    if !years.isEmpty {
      if initial != nil {
        throw p.invalid(base + ".history", "give either initial_point_value or history, not both")
      }
      guard years.count == weights.count else {
        throw p.invalid(base + ".history", "has \(years.count) years but year_weights has \(weights.count) weights")
      }
      var costs: [Int64] = []
      var points: [Int64] = []
      for y in years {
        let k = base + ".history.\"\(y)\""
        try known(p, k, ["cost", "points"])
        guard let cost = try p.fen(k + ".cost"), cost > 0 else {
          throw p.invalid(k + ".cost", "expected a positive amount")
        }
        guard let pts = try p.fixed(k + ".points", scale: 4), pts.raw > 0 else {
          throw p.invalid(k + ".points", "expected a positive number of points")
        }
        costs.append(cost)
        points.append(pts.raw)
      }
      initial = PointValue.initial(costsFen: costs, pointsRaw: points, weights: weights)
      source = "history " + weights.map(String.init).joined(separator: ":")
    }
    let ratio = try p.fixed(
      base + ".pay_ratio", scale: 6, in: Fixed(raw: 1, scale: 6)...Fixed(raw: 1_000_000, scale: 6))
    if mode != .fixed && budget == nil {
      throw p.invalid(base + ".budget", "missing: point_mode \(mode.rawValue) needs the pool's budget")
    }
    if mode != .floating && initial == nil {
      throw p.invalid(
        base + ".initial_point_value",
        "missing: point_mode \(mode.rawValue) needs a year-start point value (or history)")
    }
    return PoolParams(pool: name, budgetFen: budget, initialPointValue: initial, initialSource: source, payRatio: ratio)
  }

  /// Refuses a key of the table `key` that is not in `names` (a typo would otherwise fall back to a default).
  static func known(_ p: Params, _ key: String, _ names: Set<String>) throws(MIError) {
    if let bad = try p.keys(key).first(where: { !names.contains($0) }) {
      throw p.invalid(key + ".\(bad)", "unknown key (expected \(names.sorted().joined(separator: ", ")))")
    }
  }

  /// A band table: keys are upper bounds (`"0.10"`) or `"inf"`, values shares in 0…1.
  static func bands(_ p: Params, _ key: String) throws(MIError) -> [Band] {
    var out: [Band] = []
    var open: Band?
    for k in try p.keys(key) {
      let path = key + ".\"\(k)\""
      guard let share = try p.fixed(path, scale: 4, in: Fixed(raw: 0, scale: 4)...Fixed(raw: 10000, scale: 4)) else {
        continue
      }
      if k == "inf" {
        open = Band(upto: nil, share: share)
      } else {
        guard let upto = Fixed(k, scale: 4), upto.raw > 0 else {
          throw p.invalid(path, "a band's key is its upper bound as a rate (\"0.10\") or \"inf\"")
        }
        out.append(Band(upto: upto, share: share))
      }
    }
    out.sort { $0.upto! < $1.upto! }
    guard let open else { throw p.invalid(key, "needs an open last band \"inf\" = SHARE") }
    out.append(open)
    return out
  }
}
