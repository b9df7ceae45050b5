import MICore

/// A benefit rule for one insured group, setting and institution level: 起付线 and 报销比例 (DOMAIN.md §5).
public struct BenefitRule: Sendable, Equatable {
  /// 起付线 in fen.
  public var deductibleFen: Int64
  /// 政策范围内报销比例 (scale 4).
  public var ratio: Fixed

  /// Creates a rule.
  public init(deductibleFen: Int64, ratio: Fixed) {
    self.deductibleFen = deductibleFen
    self.ratio = ratio
  }

  /// The fund payment for 政策范围内 `inscpFen`: `max(0, inscp − 起付线) × 比例`, rounded once (DOMAIN.md §5 [U]
  /// composition; §9.8: 二级 10,000 → (10,000 − 400) × 0.72 = 6,912.00).
  public func fund(inscpFen: Int64) -> Int64 {
    Fixed.mulDiv(max(0, inscpFen - deductibleFen), ratio.raw, Fixed.pow10(ratio.scale))
  }
}

/// A benefit policy file (`mi-clear benefit --policy FILE`): rules by insutype, setting (inpatient/outpatient) and
/// `hosp_lv`. An outpatient table lists the only levels that reimburse at all (seed 001: 普通门诊 only at primary
/// institutions); an inpatient case at a level the table does not list keeps its old amount and is counted unmatched.
public struct BenefitPolicy: Sendable {
  /// The policy's name (`benefit.name`), written into every output record.
  public var name: String
  /// Inpatient rules: insutype → hosp_lv → rule.
  public var inpatient: [String: [String: BenefitRule]] = [:]
  /// Outpatient rules: insutype → hosp_lv → rule.
  public var outpatient: [String: [String: BenefitRule]] = [:]

  /// Creates an empty policy.
  public init(name: String) { self.name = name }

  /// Reads `[benefit]` from a policy file; errors name the key.
  public static func load(_ p: Params) throws(MIError) -> BenefitPolicy {
    var b = BenefitPolicy(name: try p.string("benefit.name") ?? p.name)
    let groups = try p.keys("benefit.insutype")
    if groups.isEmpty { throw p.invalid("benefit.insutype", "missing: the policy has no rules") }
    for g in groups {
      for setting in ["inpatient", "outpatient"] {
        let base = "benefit.insutype.\"\(g)\".\(setting)"
        guard p.has(base) else { continue }
        var rules: [String: BenefitRule] = [:]
        let levels = Set(try p.keys(base + ".ratio")).union(try p.keys(base + ".deductible"))
        for lv in levels.sorted() {
          guard
            let ratio = try p.fixed(
              base + ".ratio.\"\(lv)\"", scale: 4, in: Fixed(raw: 0, scale: 4)...Fixed(raw: 10000, scale: 4))
          else { throw p.invalid(base + ".ratio.\"\(lv)\"", "missing: level \(lv) has a deductible but no ratio") }
          let ded = try p.fen(base + ".deductible.\"\(lv)\"") ?? 0
          if ded < 0 { throw p.invalid(base + ".deductible.\"\(lv)\"", "must not be negative") }
          rules[lv] = BenefitRule(deductibleFen: ded, ratio: ratio)
        }
        if setting == "inpatient" { b.inpatient[g] = rules } else { b.outpatient[g] = rules }
      }
    }
    let unknown = p.unusedKeys().filter { $0.hasPrefix("benefit.") }
    if let first = unknown.first { throw p.invalid(first, "unknown key") }
    return b
  }

  /// The setting of a `med_type`: inpatient (2x, 52), 普通门诊 (11, the only outpatient care seed 001 speaks of),
  /// or nil (门诊慢特病 14 and others: no rule, the old amount stays).
  public static func setting(_ medType: String) -> String? {
    if medType.hasPrefix("2") || medType.hasPrefix("52") { return "inpatient" }
    if medType.hasPrefix("11") { return "outpatient" }
    return nil
  }

  /// The new fund amount of a case, or nil when no rule applies (the old amount is kept).
  public func newFund(insutype: String, medType: String, level: String, inscpFen: Int64) -> Int64? {
    switch BenefitPolicy.setting(medType) {
    case "inpatient":
      return inpatient[insutype]?[level]?.fund(inscpFen: inscpFen)
    case "outpatient":
      guard let table = outpatient[insutype] else { return nil }
      return table[level]?.fund(inscpFen: inscpFen) ?? 0
    default:
      return nil
    }
  }
}

/// Old and new fund amounts of one hospital and insutype under a policy (the `kind: "benefit"` record).
public struct BenefitTotals: Sendable, Equatable {
  /// Cases.
  public var cases: Int64 = 0
  /// Cases no rule applied to (old amount kept).
  public var unmatched: Int64 = 0
  /// Σ `hifp_pay`.
  public var oldFen: Int64 = 0
  /// Σ new fund amounts.
  public var newFen: Int64 = 0

  /// Empty totals.
  public init() {}
}

/// Runs a benefit policy over cases: enriches each case and sums per hospital (memory per hospital).
public final class BenefitSimulation {
  /// The fields this tool writes into a case.
  public static let owned = FieldSet(["benefit_policy", "fund_old_amt", "fund_new_amt", "fund_diff_amt"])
  /// Totals per (hospital, insutype).
  public private(set) var totals: [PoolHospital: BenefitTotals] = [:]
  private let policy: BenefitPolicy

  /// Creates a simulation.
  public init(policy: BenefitPolicy) { self.policy = policy }

  /// Applies the policy to one case; writes the enriched case into `out` when `writeCase`.
  public func apply(_ s: RecordScanner, writeCase: Bool, into out: inout [UInt8]) throws(FieldError) {
    guard let code = try s.code("fixmedins_code") else { throw FieldError("fixmedins_code", "missing") }
    guard let insutype = try s.code("insutype") else { throw FieldError("insutype", "missing") }
    guard let medType = try s.code("med_type") else { throw FieldError("med_type", "missing") }
    guard let level = try s.code("hosp_lv") else { throw FieldError("hosp_lv", "missing") }
    guard let old = try s.fen("hifp_pay") else { throw FieldError("hifp_pay", "missing") }
    guard let inscp = try s.fen("inscp_scp_amt") else { throw FieldError("inscp_scp_amt", "missing") }
    let new = policy.newFund(insutype: insutype, medType: medType, level: level, inscpFen: inscp)
    let k = PoolHospital(insutype, code)
    var t = totals[k] ?? BenefitTotals()
    t.cases += 1
    if new == nil { t.unmatched += 1 }
    t.oldFen += old
    t.newFen += new ?? old
    totals[k] = t
    guard writeCase else { return }
    var w = JSONWriter()
    w.beginCopy(of: s, except: BenefitSimulation.owned, into: &out)
    w.string("benefit_policy", new == nil ? nil : policy.name, &out)
    w.fen("fund_old_amt", old, &out)
    w.fen("fund_new_amt", new ?? old, &out)
    w.fen("fund_diff_amt", (new ?? old) - old, &out)
    w.end(&out)
  }

  /// The `kind: "benefit"` records by hospital then insutype, and a `kind: "benefit-total"` record; returns the count.
  @discardableResult
  public func writeTotals(into out: inout [UInt8]) -> Int {
    var all = BenefitTotals()
    for k in totals.keys.sorted(by: { $0.code != $1.code ? $0.code < $1.code : $0.pool < $1.pool }) {
      let t = totals[k]!
      write("benefit", code: k.code, insutype: k.pool, t, &out)
      all.cases += t.cases
      all.unmatched += t.unmatched
      all.oldFen += t.oldFen
      all.newFen += t.newFen
    }
    write("benefit-total", code: nil, insutype: nil, all, &out)
    return totals.count + 1
  }

  /// One totals record.
  private func write(_ kind: String, code: String?, insutype: String?, _ t: BenefitTotals, _ out: inout [UInt8]) {
    var w = JSONWriter()
    w.begin(&out)
    w.string("kind", kind, &out)
    w.string("benefit_policy", policy.name, &out)
    if let code { w.string("fixmedins_code", code, &out) }
    if let insutype { w.string("insutype", insutype, &out) }
    w.int("cases", t.cases, &out)
    w.int("unmatched_cases", t.unmatched, &out)
    w.fen("fund_old_amt", t.oldFen, &out)
    w.fen("fund_new_amt", t.newFen, &out)
    w.fen("fund_diff_amt", t.newFen - t.oldFen, &out)
    w.end(&out)
  }
}
