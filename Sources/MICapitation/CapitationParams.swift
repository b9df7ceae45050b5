import MICore

/// Whose share the ratio `share_ratio` is (DOMAIN.md §4 ambiguity 2).
///
/// Seed 002 calls the ratio the institutions' ("醫療機構對統籌區醫保基金超支分擔(結余留用)比例"), but the amount
/// `X = |A − B| × 比例` enters the clearing total T as the fund's part. The two readings agree at 0.5.
public enum SharePartyRule: String, Sendable, CaseIterable {
  /// `r` is the fund's share: X = |A − B| × r (DOMAIN.md default).
  case fund
  /// `r` is the institutions' share: the fund's part is 1 − r, so X = |A − B| × (1 − r).
  case hospital
}

/// Which sign X takes in `T = B ± adj − R − S ± X` (DOMAIN.md §4 ambiguity 1).
public enum ShareSignRule: String, Sendable, CaseIterable {
  /// `+X` when A > B (the fund shares the overspend), `−X` when A < B (the fund keeps part of the saving).
  /// The institutions then receive `B − R + signed X`: they bear the rest of an overspend and keep the rest of a
  /// saving (DOMAIN.md §9.6: 155,000,000 against 160,000,000 spent).
  case byDifference = "by-difference"
  /// The opposite sign: `−X` when A > B, `+X` when A < B (reading "±超支分擔(結余留用)" as a deduction of the
  /// overspend share and an addition of the kept saving to the budget).
  case reversed
}

/// Whose settlements N counts (DOMAIN.md §4 ambiguity 4).
public enum PersonsScope: String, Sendable, CaseIterable {
  /// Distinct `psn_no` with at least one in-scope settlement in the pool (default).
  case pool
  /// Distinct `psn_no` over every pool of the year: each pool's P = N_all × points_per_person.
  case all
}

/// One capitation pool: 险种 (`insutype`) × 普通门诊 / 特殊病种门诊 (seed 002 "單獨控費結算").
public struct CapitationPool: Sendable, Equatable {
  /// The pool's name: `<insutype>-general` or `<insutype>-special` (`310-general`).
  public var name: String
  /// The insutype of its settlements (`310` 一档 职工, `390` 二档 居民).
  public var insutype: String
  /// Whether it is the 特殊病种门诊 pool of its insutype.
  public var special: Bool
  /// `budget`: 年初控费总额 B, fen.
  public var budgetFen: Int64
  /// `adjustment`: 调整额, signed fen (seed: "±調整額").
  public var adjustmentFen: Int64 = 0
  /// `share_party` of this pool, or nil for the `[capitation]` key (the default of every pool).
  public var shareParty: SharePartyRule?
  /// `share_ratio`: 超支分担(结余留用)比例 r, scale 4.
  public var shareRatio = Fixed(raw: 5000, scale: 4)
  /// `points_per_person`: 100 in seed 002 ("參保人員門診就醫人數×100").
  public var pointsPerPerson: Int64 = 100
  /// `prepay_ratio`: 月度预拨比例, scale 4 (seed: "原則上不低于90%").
  public var prepayRatio = Fixed(raw: 9000, scale: 4)
  /// `persons`: N given by the bureau (签约人数 or 参保人数, the count unit of DOMAIN.md §8) instead of counted.
  public var personsGiven: Int64?
  /// `remote`: 异地就医金额 R given by the bureau (from the provincial platform) instead of summed from the data.
  public var remoteGivenFen: Int64?

  /// Creates a pool with the seed's defaults.
  public init(name: String, insutype: String, special: Bool, budgetFen: Int64) {
    self.name = name
    self.insutype = insutype
    self.special = special
    self.budgetFen = budgetFen
  }
}

/// The `[capitation]` section of a params version, validated (DOMAIN.md §4, §8 "capita" rows; seed 002).
///
/// Every DOMAIN.md §4 ambiguity is a key with the DOMAIN.md default:
/// `share_party` (fund), `share_sign` (by-difference), `ffs_includes_remote` / `ffs_includes_special` (true: A is
/// every fund amount of the pool's insured, so that F = A − R − S as in §9.6), `weight_includes_remote` (false: F is
/// spending at the pool's institutions only), `persons_scope` (pool), `persons_include_remote` (true: insured treated
/// elsewhere are still 参保人员 with a visit); rounding is fixed by DESIGN.md §3 (largest remainder).
public struct CapitationParams: Sendable, Equatable {
  /// `pool_admdvs`: the pool's own 医保区划 (6 digits). A record is inside the pool when its admdvs starts with
  /// this code less its trailing `00` pairs (`331100` covers the counties `331102` …; `331102` only itself).
  public var poolAdmdvs: String
  /// `special_med_types`: med_type prefixes of 特殊病种门诊 (default `["14"]`, 门诊慢特病).
  public var specialMedTypes: [String] = ["14"]
  /// `inpatient_med_types`: med_type prefixes outside outpatient capitation (default 21–29 and 52, SCHEMA.md).
  public var inpatientMedTypes: [String] = ["2", "52"]
  /// `share_party`: the default of every pool (a pool's own `share_party` overrides it).
  public var shareParty: SharePartyRule = .fund
  /// `share_sign`.
  public var shareSign: ShareSignRule = .byDifference
  /// `ffs_includes_remote`: A includes R.
  public var ffsIncludesRemote = true
  /// `ffs_includes_special`: A includes S.
  public var ffsIncludesSpecial = true
  /// `weight_includes_remote`: the weight denominator F includes R ("參保人員在統籌區的就醫基金" read as all the
  /// insured's spending). The pool's institutions then share only F_local / (F_local + R) of T; the rest is
  /// reported as `unallocated_amt` and stays with the fund.
  public var weightIncludesRemote = false
  /// `persons_scope`.
  public var personsScope: PersonsScope = .pool
  /// `persons_include_remote`: whether the insured seen only elsewhere (异地就医) count in N.
  public var personsIncludeRemote = true
  /// `objection_days`: working days to object after receiving the 拟清算方案 (seed: "7個工作日內").
  public var objectionDays = 7
  /// `holidays`: public holidays (`yyyy-MM-dd`) that are not working days.
  public var holidays: Set<String> = []
  /// `makeup_workdays`: weekend days that are working days (调休).
  public var makeupWorkdays: Set<String> = []
  /// `pools`: by name, iterated sorted through `poolNames`.
  public var pools: [String: CapitationPool] = [:]
  /// Warnings about values below the seed's floors ("原則上不低于"), for the caller to print.
  public var warnings: [String] = []

  /// Creates parameters with the defaults and no pools.
  public init(poolAdmdvs: String) {
    self.poolAdmdvs = poolAdmdvs
  }

  /// The pool names, sorted (output order).
  public var poolNames: [String] { pools.keys.sorted() }

  /// The admdvs prefix that marks a record as inside the pool.
  public var admdvsPrefix: String {
    var s = poolAdmdvs
    while s.count > 2 && s.hasSuffix("00") { s.removeLast(2) }
    return s
  }

  /// Whether `code` (a med_type) starts with one of `prefixes`.
  static func matches(_ code: String, _ prefixes: [String]) -> Bool {
    prefixes.contains { code.hasPrefix($0) }
  }

  /// Reads and validates `[capitation]`; every error names its key. Absent section: an error naming
  /// `capitation.pool_admdvs` when `required`, else nil (the params version serves other tools only).
  public static func load(_ p: Params) throws(MIError) -> CapitationParams {
    guard let c = try loadIfPresent(p) else {
      throw p.invalid("capitation.pool_admdvs", "missing: the params version has no [capitation] section")
    }
    return c
  }

  /// Like `load`, but nil when the params version has no `[capitation]` section (for `mi-catalog import params`).
  public static func loadIfPresent(_ p: Params) throws(MIError) -> CapitationParams? {
    guard p.has("capitation") else { return nil }
    guard let admdvs = try p.string("capitation.pool_admdvs") else {
      throw p.invalid("capitation.pool_admdvs", "missing: the pool's own 医保区划 (6 digits, e.g. \"331100\")")
    }
    guard admdvs.utf8.count == 6, admdvs.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
      throw p.invalid("capitation.pool_admdvs", "expected 6 digits, found \"\(admdvs)\"")
    }
    var c = CapitationParams(poolAdmdvs: admdvs)
    if let v = try p.strings("capitation.special_med_types") {
      guard !v.isEmpty, v.allSatisfy({ !$0.isEmpty }) else {
        throw p.invalid("capitation.special_med_types", "expected a non-empty list of med_type prefixes")
      }
      c.specialMedTypes = v
    }
    if let v = try p.strings("capitation.inpatient_med_types") {
      guard v.allSatisfy({ !$0.isEmpty }) else {
        throw p.invalid("capitation.inpatient_med_types", "empty prefix (it would match every med_type)")
      }
      c.inpatientMedTypes = v
    }
    if let clash = c.specialMedTypes.first(where: { matches($0, c.inpatientMedTypes) }) {
      throw p.invalid("capitation.special_med_types", "\"\(clash)\" is also an inpatient med_type prefix")
    }
    c.shareParty = SharePartyRule(
      rawValue: try p.choice("capitation.share_party", SharePartyRule.allCases.map(\.rawValue), default: "fund"))!
    let signs = ShareSignRule.allCases.map(\.rawValue)
    c.shareSign = ShareSignRule(rawValue: try p.choice("capitation.share_sign", signs, default: "by-difference"))!
    c.ffsIncludesRemote = try p.bool("capitation.ffs_includes_remote") ?? true
    c.ffsIncludesSpecial = try p.bool("capitation.ffs_includes_special") ?? true
    c.weightIncludesRemote = try p.bool("capitation.weight_includes_remote") ?? false
    c.personsScope = PersonsScope(
      rawValue: try p.choice("capitation.persons_scope", PersonsScope.allCases.map(\.rawValue), default: "pool"))!
    c.personsIncludeRemote = try p.bool("capitation.persons_include_remote") ?? true
    if let d = try p.int("capitation.objection_days") {
      guard (1...60).contains(d) else { throw p.invalid("capitation.objection_days", "expected 1…60, found \(d)") }
      c.objectionDays = d
    }
    for key in ["holidays", "makeup_workdays"] {
      let full = "capitation.\(key)"
      let days = try p.strings(full) ?? []
      for d in days where WorkingDays.parse(d) == nil {
        throw p.invalid(full, "expected dates yyyy-MM-dd, found \"\(d)\"")
      }
      if key == "holidays" { c.holidays = Set(days) } else { c.makeupWorkdays = Set(days) }
    }
    let names = try p.keys("capitation.pools")
    guard !names.isEmpty else {
      throw p.invalid("capitation.pools", "missing: at least one pool, e.g. [capitation.pools.\"310-general\"]")
    }
    // The person table keeps the pool number in 4 bits of each key (CapitationAggregator).
    guard names.count <= 16 else { throw p.invalid("capitation.pools", "at most 16 pools, found \(names.count)") }
    for name in names {
      c.pools[name] = try loadPool(p, name: name, shareParty: c.shareParty, warnings: &c.warnings)
    }
    try refuseUnknown(p, "capitation", known: sectionKeys)
    for name in names { try refuseUnknown(p, "capitation.pools.\"\(name)\"", known: poolKeys) }
    return c
  }

  /// The keys of `[capitation]`.
  static let sectionKeys = [
    "pool_admdvs", "special_med_types", "inpatient_med_types", "share_party", "share_sign", "ffs_includes_remote",
    "ffs_includes_special", "weight_includes_remote", "persons_scope", "persons_include_remote", "objection_days",
    "holidays", "makeup_workdays", "pools",
  ]

  /// The keys of a pool table.
  static let poolKeys = [
    "budget", "adjustment", "share_party", "share_ratio", "points_per_person", "prepay_ratio", "persons", "remote",
  ]

  /// `Params.keys(_:)` marks a whole table as read, so `unusedKeys()` cannot see a typo inside a table this
  /// section has touched: the section checks its own keys.
  static func refuseUnknown(_ p: Params, _ table: String, known: [String]) throws(MIError) {
    for key in try p.keys(table) where !known.contains(key) {
      throw p.invalid("\(table).\(key)", "unknown key (expected one of \(known.joined(separator: ", ")))")
    }
  }

  /// Reads `[capitation.pools."NAME"]`.
  static func loadPool(
    _ p: Params, name: String, shareParty: SharePartyRule, warnings: inout [String]
  ) throws(MIError) -> CapitationPool {
    let base = "capitation.pools.\"\(name)\""
    let parts = name.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, parts[0].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
      parts[1] == "general" || parts[1] == "special"
    else {
      throw p.invalid(base, "a pool is named <insutype>-general or <insutype>-special (e.g. 310-general)")
    }
    guard let budget = try p.fen("\(base).budget") else {
      throw p.invalid("\(base).budget", "missing: the pool's 年初控费总额 in yuan")
    }
    guard budget >= 0 else { throw p.invalid("\(base).budget", "must not be negative") }
    var pool = CapitationPool(name: name, insutype: String(parts[0]), special: parts[1] == "special", budgetFen: budget)
    pool.adjustmentFen = try p.fen("\(base).adjustment") ?? 0
    // The issue that defined mi-capita put share_party per pool; the section's key is the default.
    if try p.string("\(base).share_party") != nil {
      pool.shareParty = SharePartyRule(
        rawValue: try p.choice("\(base).share_party", SharePartyRule.allCases.map(\.rawValue), default: "fund"))!
    }
    let one = Fixed(raw: 10000, scale: 4)
    let zero = Fixed(raw: 0, scale: 4)
    if let r = try p.fixed("\(base).share_ratio", scale: 4, in: zero...one) { pool.shareRatio = r }
    // Seed 002: "醫療機構對統籌區醫保基金超支分擔(結余留用)比例原則上不低于50%" — the institutions' part, which is r
    // or 1 − r by share_party. "原則上" and "可根據基金運行情況進行適當調整": a warning, not an error.
    let hospitalPart = (pool.shareParty ?? shareParty) == .hospital ? pool.shareRatio : one - pool.shareRatio
    if hospitalPart < Fixed(raw: 5000, scale: 4) {
      warnings.append(
        "\(p.name): key \"\(base).share_ratio\": the institutions' share \(hospitalPart) is below the seed's 50% floor")
    }
    if let n = try p.int("\(base).points_per_person") {
      guard n > 0 else { throw p.invalid("\(base).points_per_person", "must be positive") }
      pool.pointsPerPerson = Int64(n)
    }
    if let r = try p.fixed("\(base).prepay_ratio", scale: 4, in: zero...one) { pool.prepayRatio = r }
    if pool.prepayRatio < Fixed(raw: 9000, scale: 4) {
      warnings.append("\(p.name): key \"\(base).prepay_ratio\": \(pool.prepayRatio) is below the seed's 90% floor")
    }
    if let n = try p.int("\(base).persons") {
      guard n > 0 else { throw p.invalid("\(base).persons", "must be positive") }
      pool.personsGiven = Int64(n)
    }
    if let r = try p.fen("\(base).remote") {
      guard r >= 0 else { throw p.invalid("\(base).remote", "must not be negative") }
      pool.remoteGivenFen = r
    }
    return pool
  }
}
