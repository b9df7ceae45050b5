import MICore

/// G01 双控 (dual-control, AUDIT.md §3 G01, seed 003 "控制全年次均住院费用、住院人次增长的“双控”模式"): per
/// institution over this period's inpatient cases, with n = 住院人次 and S = Σ `medfee_sumamt`:
/// - `check = "cost"` (default): 次均住院费用 S/n above the 定额 Q → amount `(S/n − Q) × n = S − Q·n`, exact in fen;
/// - `check = "volume"`: 住院人次 n above the cap C → amount `(n − C) × S/n`, rounded half-up to the fen once.
///
/// Q and C come from the `caps` file (NDJSON: `fixmedins_code`, `avg_cost_cap` yuan, `visits_cap`) — Q as given,
/// C = ⌊visits_cap × (1 + allowed_growth)⌋ (增长上浮安全比例) — else from the `--previous` period:
/// Q = previous 次均 × (1 + allowed_growth) rounded half-up to the fen (a quota is money, published to the fen),
/// C = ⌊previous 人次 × (1 + allowed_growth)⌋ (whole visits: a cap of 110.5 admits 110). `allowed_growth` defaults
/// to 0.10 [U: the seed gives no figure]. An institution with neither is not judged.
///
/// State: the caps table, and one (n, S) pair per institution and period.
final class DualControl: CaseRule {
  /// One institution's caps from the caps file.
  struct Caps {
    var avgCost: Int64?
    var visits: Int64?
  }

  let spec: RuleSpec
  let volume: Bool
  let growth: Fixed
  let caps: [String: Caps]
  let capsName: String?

  init(_ spec: RuleSpec, _ context: RuleContext) throws(MIError) {
    self.spec = spec
    volume = try spec.choice("check", ["cost", "volume"], default: "cost") == "volume"
    growth = try spec.fixed("allowed_growth", scale: 4, default: Fixed(raw: 1000, scale: 4))
    guard growth.raw >= 0 else { throw spec.invalid("allowed_growth", "expected 0 or more, found \(growth)") }
    if let path = try spec.optionalString("caps") {
      // A relative path is read from the rule set's directory (the current one needs no prefix in messages).
      let base = spec.baseDirectory ?? "."
      let full = path.hasPrefix("/") || base == "." ? path : base + "/" + path
      caps = try Self.readCaps(full)
      capsName = path
    } else {
      caps = [:]
      capsName = nil
    }
  }

  /// Reads a caps file: one record per institution, `fixmedins_code` required and unique.
  static func readCaps(_ path: String) throws(MIError) -> [String: Caps] {
    var out: [String: Caps] = [:]
    try SideFile.forEachRecord(path) { (r, _) throws(FieldError) in
      guard let code = try r.code("fixmedins_code") else { throw FieldError("fixmedins_code", "required") }
      guard out[code] == nil else { throw FieldError("fixmedins_code", "institution \(code) listed twice") }
      let cost = try r.fen("avg_cost_cap")
      let visits = try r.int("visits_cap")
      if let cost, cost <= 0 { throw FieldError("avg_cost_cap", "expected a positive amount") }
      if let visits, visits < 0 { throw FieldError("visits_cap", "expected 0 or more") }
      out[code] = Caps(avgCost: cost, visits: visits)
    }
    return out
  }

  /// 住院人次 and Σ medfee of one institution.
  struct Totals {
    var n: Int64 = 0
    var sum: Int64 = 0
  }

  /// The cost finding's 定额 from a previous period: `S₀/n₀ × (1 + g)` rounded half-up to the fen.
  static func quota(previous t: Totals, growth: Fixed) -> Int64 {
    let one = Int128(Fixed.pow10(growth.scale))
    return ExactRatio.rounded(Int128(t.sum) * (one + Int128(growth.raw)), Int128(t.n) * one)
  }

  /// A visits cap with growth: `⌊base × (1 + g)⌋`.
  static func visitsCap(base: Int64, growth: Fixed) -> Int64 {
    let one = Int64(Fixed.pow10(growth.scale))
    return Int64(Int128(base) * Int128(one + growth.raw) / Int128(one))
  }

  /// The cost excess `S − Q·n` in fen when 次均 S/n is above Q, else nil.
  static func costExcess(_ t: Totals, quota: Int64) -> Int64? {
    let excess = t.sum - quota * t.n
    return excess > 0 ? excess : nil
  }

  /// The volume excess `(n − C) × S/n`, rounded half-up once, when n is above C, else nil.
  static func volumeExcess(_ t: Totals, cap: Int64) -> Int64? {
    guard t.n > cap else { return nil }
    return ExactRatio.rounded(Int128(t.n - cap) * Int128(t.sum), Int128(t.n))
  }

  func run(_ table: CaseTable, into findings: inout [Finding]) throws {
    let add: (inout Totals, borrowing AuditCase) -> Void = { t, c in
      t.n += 1
      t.sum += c.medfeeSumamt
    }
    let now = Institutions(table.cases, initial: Totals(), include: { $0.isInpatient }, add: add)
    let before = table.previous.map { Institutions($0, initial: Totals(), include: { $0.isInpatient }, add: add) }
    for code in now.codes {
      let e = now.entries[code]!
      let t = e.value
      let prev = before?.entries[code]?.value
      let avg = ExactRatio.rounded(Int128(t.sum), Int128(t.n))
      let cont: String
      let amount: Int64
      let source: String
      let limit: Fixed
      if volume {
        let base: Int64
        if let v = caps[code]?.visits {
          (base, source) = (v, "控制指标\(capsName!)")
        } else if let p = prev, p.n > 0 {
          (base, source) = (p.n, "上期住院人次")
        } else {
          continue
        }
        let cap = Self.visitsCap(base: base, growth: growth)
        guard let x = Self.volumeExcess(t, cap: cap) else { continue }
        limit = Fixed(integer: cap, scale: 0)
        (cont, amount) = (
          "机构\(code)住院人次\(t.n)超过上限\(cap)（\(source)\(base)×(1+\(growth.plain))取整），超出\(t.n - cap)人次"
            + "×次均住院费用\(yuan(avg))", x
        )
      } else {
        let q: Int64
        if let c = caps[code]?.avgCost {
          (q, source) = (c, "控制指标\(capsName!)")
        } else if let p = prev, p.n > 0 {
          (q, source) = (
            Self.quota(previous: p, growth: growth),
            "上期次均\(yuan(ExactRatio.rounded(Int128(p.sum), Int128(p.n))))×(1+\(growth.plain))"
          )
        } else {
          continue
        }
        guard let x = Self.costExcess(t, quota: q) else { continue }
        limit = Fixed(raw: q, scale: 2)
        (cont, amount) = (
          "机构\(code)次均住院费用\(yuan(avg))（\(yuan(t.sum))/\(t.n)人次）超过定额\(yuan(q))（\(source)），"
            + "超出金额\(yuan(t.sum))−\(yuan(q))×\(t.n)人次", x
        )
      }
      var f = Finding(
        rule: spec, institution: code, e, volaCont: cont,
        volaEvid: "AUDIT.md G01 双控（种子003）："
          + (volume
            ? "住院人次不超过上限（控制指标或上期人次）×(1+增长上浮安全比例\(growth.plain))"
            : "次均住院费用不超过定额（控制指标，或上期次均×(1+增长上浮安全比例\(growth.plain))）"),
        metric: volume ? Fixed(integer: t.n, scale: 0) : Fixed(raw: avg, scale: 2),
        threshold: limit)
      f.volaAmt = f.amtMode == .none ? 0 : amount
      findings.append(f)
    }
  }
}
