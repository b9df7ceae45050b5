import MICore

/// F03 高套/低码高编 indicators (upcoding-indicator, AUDIT.md §3 F03): per institution, this period's inpatient
/// cases against the `--previous` period's. `indicator = "cmi"` (default): CMI = Σ weight ÷ weighted cases
/// (DOMAIN.md §7) grew by more than `cmi_growth` (default 0.10): `CMI₁/CMI₀ − 1 > g`, compared exactly as
/// `Σw₁·n₀·10ˢ > (10ˢ + g)·Σw₀·n₁`. `indicator = "mcc_share"`: the share of grouped cases in a 伴严重并发症 group
/// (CHS-DRG: the `mcc_position`-th character of `group_code`, default 4th, in `mcc_marks`, default "1") rose by
/// more than `mcc_share_growth` (default 0.05, percentage points as a fraction). No amount; metric = the growth,
/// threshold = its limit. Without `--previous`, or for an institution absent from it, nothing is judged.
///
/// State: two accumulators per institution (this period and the previous one).
final class UpcodingIndicator: CaseRule {
  let spec: RuleSpec
  let mccShare: Bool
  let limit: Fixed
  let mccMarks: [String]
  let mccPosition: Int

  init(_ spec: RuleSpec, _ context: RuleContext) throws(MIError) {
    self.spec = spec
    mccShare = try spec.choice("indicator", ["cmi", "mcc_share"], default: "cmi") == "mcc_share"
    if mccShare {
      limit = try spec.fixed("mcc_share_growth", scale: 4, default: Fixed(raw: 500, scale: 4))
      mccMarks = try spec.strings("mcc_marks", default: ["1"])
      mccPosition = try spec.int("mcc_position", default: 4)
      guard mccPosition >= 1 else { throw spec.invalid("mcc_position", "expected 1 or more, found \(mccPosition)") }
    } else {
      limit = try spec.fixed("cmi_growth", scale: 4, default: Fixed(raw: 1000, scale: 4))
      mccMarks = []
      mccPosition = 0
    }
  }

  /// Weighted cases and Σ weight raw (scale 4) for CMI; grouped cases and MCC cases for the share.
  struct Totals {
    var n: Int64 = 0
    var sum: Int64 = 0
  }

  func totals(_ cases: [AuditCase]) -> Institutions<Totals> {
    Institutions(cases, initial: Totals(), include: { $0.isInpatient }) { t, c in
      if mccShare {
        guard let g = c.groupCode else { return }
        t.n += 1
        let chars = Array(g)
        if chars.count >= mccPosition, mccMarks.contains(String(chars[mccPosition - 1])) { t.sum += 1 }
      } else {
        guard let w = c.weight else { return }
        t.n += 1
        t.sum += w.rescaled(to: 4).raw
      }
    }
  }

  /// CMI growth `(Σ₁·n₀ − Σ₀·n₁) / (Σ₀·n₁)` against `limit`: the sign of the comparison and the growth to 4
  /// decimals; nil without a positive baseline.
  static func cmiGrowth(current: Totals, previous: Totals, limit: Fixed) -> (sign: Int, growth: Fixed)? {
    guard current.n > 0, previous.n > 0, previous.sum > 0 else { return nil }
    let num = Int128(current.sum) * Int128(previous.n)
    let den = Int128(previous.sum) * Int128(current.n)
    return (ExactRatio.compareGrowth(num, den, limit), ExactRatio.quotient(num - den, den))
  }

  /// MCC-share rise `m₁/n₁ − m₀/n₀ = (m₁·n₀ − m₀·n₁) / (n₁·n₀)` against `limit`; nil without cases in a period.
  static func shareRise(current: Totals, previous: Totals, limit: Fixed) -> (sign: Int, rise: Fixed)? {
    guard current.n > 0, previous.n > 0 else { return nil }
    let num = Int128(current.sum) * Int128(previous.n) - Int128(previous.sum) * Int128(current.n)
    let den = Int128(current.n) * Int128(previous.n)
    return (ExactRatio.compare(num, den, limit), ExactRatio.quotient(num, den))
  }

  func run(_ table: CaseTable, into findings: inout [Finding]) throws {
    guard let previous = table.previous else { return }
    let now = totals(table.cases)
    let before = totals(previous)
    for code in now.codes {
      let e = now.entries[code]!
      guard let p = before.entries[code]?.value else { continue }
      let cont: String
      let metric: Fixed
      if mccShare {
        guard let r = Self.shareRise(current: e.value, previous: p, limit: limit), r.sign > 0 else { continue }
        let s1 = ExactRatio.quotient(Int128(e.value.sum), Int128(e.value.n))
        let s0 = ExactRatio.quotient(Int128(p.sum), Int128(p.n))
        cont =
          "机构\(code)伴严重并发症病组占比由\(s0.plain)升至\(s1.plain)（\(e.value.sum)/\(e.value.n)例），"
          + "上升\(r.rise.plain)，超过\(limit.plain)"
        metric = r.rise
      } else {
        guard let g = Self.cmiGrowth(current: e.value, previous: p, limit: limit), g.sign > 0 else { continue }
        let c1 = ExactRatio.quotient(Int128(e.value.sum), Int128(e.value.n) * 10_000)
        let c0 = ExactRatio.quotient(Int128(p.sum), Int128(p.n) * 10_000)
        cont = "机构\(code)CMI由\(c0)升至\(c1)（\(e.value.n)例），增长\(g.growth.plain)，超过\(limit.plain)"
        metric = g.growth
      }
      var f = Finding(
        rule: spec, institution: code, e, volaCont: cont,
        volaEvid: "AUDIT.md F03：" + (mccShare ? "伴严重并发症病组占比上升" : "CMI增长") + "超过\(limit.plain)，提示高编高套",
        metric: metric, threshold: limit)
      f.lead()
      findings.append(f)
    }
  }
}

/// Ratio indicators per institution (ratio, AUDIT.md §3 F04 and G01 结构指标): `metric` is one of
/// - `self_pay_share` 自费项目费用比例 = Σ `fulamt_ownpay_amt` ÷ Σ `medfee_sumamt` (F04; default `max` 0.10),
/// - `drug_share` 药占比 = Σ `item_amts` of `items` (default 09 西药, 10 中药饮片, 11 中成药) ÷ Σ `medfee_sumamt`
///   (G01D; default `max` 0.30 [U], the 30% public-hospital target),
/// - `outpatient_inpatient` 门诊住院比 = outpatient settlements ÷ inpatient settlements (G01O; default `min` 5 [U]:
///   admitting patients an outpatient clinic could treat lowers it),
/// - `visits_per_person` 人次人头比 = inpatient settlements ÷ distinct inpatient persons (G01P; default `max` 1.20
///   [U]: split admissions raise it).
/// The shares count the cases of `scope` (default inpatient). A finding when the ratio is above `max` or below `min`
/// (strictly: a ratio exactly at its cap passes); no amount, metric = the ratio to 4 decimals, threshold = the
/// limit crossed.
///
/// State: one accumulator per institution.
final class RatioIndicator: CaseRule {
  enum Metric: String {
    case selfPayShare = "self_pay_share", drugShare = "drug_share"
    case outpatientInpatient = "outpatient_inpatient", visitsPerPerson = "visits_per_person"
  }

  let spec: RuleSpec
  let metric: Metric
  let scope: CaseScope
  let items: [String]
  let max: Fixed?
  let min: Fixed?

  init(_ spec: RuleSpec, _ context: RuleContext) throws(MIError) {
    self.spec = spec
    metric = Metric(
      rawValue: try spec.choice(
        "metric", ["self_pay_share", "drug_share", "outpatient_inpatient", "visits_per_person"],
        default: "self_pay_share"))!
    let shares = metric == .selfPayShare || metric == .drugShare
    scope = shares ? try CaseScope.read(spec, default: .inpatient) : .all
    items = metric == .drugShare ? try spec.strings("items", default: ["09", "10", "11"]) : []
    let defaults: (max: String?, min: String?) =
      switch metric {
      case .selfPayShare: ("0.10", nil)
      case .drugShare: ("0.30", nil)
      case .outpatientInpatient: (nil, "5")
      case .visitsPerPerson: ("1.20", nil)
      }
    let hasMax = spec.params["max"] != nil || (defaults.max != nil && spec.params["min"] == nil)
    let hasMin = spec.params["min"] != nil || (defaults.min != nil && spec.params["max"] == nil)
    // A rule that sets only one bound replaces the default bound of the other side.
    max = hasMax ? try spec.fixed("max", scale: 4, default: defaults.max.flatMap { Fixed($0, scale: 4) }) : nil
    min = hasMin ? try spec.fixed("min", scale: 4, default: defaults.min.flatMap { Fixed($0, scale: 4) }) : nil
    guard max != nil || min != nil else { throw spec.invalid("max", "required (or \"min\")") }
  }

  /// Numerator, denominator and the distinct persons of one institution.
  struct Totals {
    var num: Int64 = 0
    var den: Int64 = 0
    var persons: Set<String> = []
  }

  func run(_ table: CaseTable, into findings: inout [Finding]) throws {
    let totals = Institutions(table.cases, initial: Totals(), include: { self.scope.includes($0) }) { t, c in
      switch metric {
      case .selfPayShare:
        t.num += c.fulamtOwnpayAmt ?? 0
        t.den += c.medfeeSumamt
      case .drugShare:
        t.num += items.reduce(Int64(0)) { $0 + (c.itemAmts[$1] ?? 0) }
        t.den += c.medfeeSumamt
      case .outpatientInpatient:
        if c.isInpatient { t.den += 1 } else { t.num += 1 }
      case .visitsPerPerson:
        guard c.isInpatient, let p = c.psnNo else { return }
        t.num += 1
        t.persons.insert(p)
      }
    }
    for code in totals.codes {
      let e = totals.entries[code]!
      let t = e.value
      let den = metric == .visitsPerPerson ? Int64(t.persons.count) : t.den
      guard den > 0 else { continue }
      let (n, d) = (Int128(t.num), Int128(den))
      let crossed: (Fixed, String)
      if let max, ExactRatio.compare(n, d, max) > 0 {
        crossed = (max, "高于上限")
      } else if let min, ExactRatio.compare(n, d, min) < 0 {
        crossed = (min, "低于下限")
      } else {
        continue
      }
      let value = ExactRatio.quotient(n, d)
      var f = Finding(
        rule: spec, institution: code, e,
        volaCont: "机构\(code)\(describe(t, den: den))为\(value.plain)，\(crossed.1)\(crossed.0.plain)",
        volaEvid: "AUDIT.md \(metric == .selfPayShare ? "F04" : "G01") 结构指标：\(name)应\(bounds)",
        metric: value, threshold: crossed.0)
      f.lead()
      findings.append(f)
    }
  }

  /// The indicator's Chinese name.
  var name: String {
    switch metric {
    case .selfPayShare: return "\(scope.label)自费项目费用比例"
    case .drugShare: return "\(scope.label)药占比"
    case .outpatientInpatient: return "门诊住院比"
    case .visitsPerPerson: return "住院人次人头比"
    }
  }

  /// The allowed range in words.
  var bounds: String {
    [min.map { "不低于\($0.plain)" }, max.map { "不高于\($0.plain)" }].compactMap { $0 }.joined(separator: "且")
  }

  /// The indicator with its parts: `药占比（药品费用 X元/医疗费总额 Y元）`.
  func describe(_ t: Totals, den: Int64) -> String {
    switch metric {
    case .selfPayShare: return "\(name)（全自费\(yuan(t.num))/医疗费总额\(yuan(den))）"
    case .drugShare: return "\(name)（药品费\(yuan(t.num))/医疗费总额\(yuan(den))）"
    case .outpatientInpatient: return "\(name)（门诊\(t.num)人次/住院\(den)人次）"
    case .visitsPerPerson: return "\(name)（住院\(t.num)人次/\(den)人）"
    }
  }
}

/// H04 网上监控 增长过快 (growth, AUDIT.md §3 H04, seed 003): per institution, this period's 结算人次
/// (`measure = "visits"`, default) or 医疗费用 (`measure = "cost"`, Σ `medfee_sumamt`) over the cases of `scope`
/// (default all) against the `--previous` period's, growth `x₁/x₀ − 1` above `threshold` (default 0.20, compared
/// exactly; 0.20 itself passes) → the institution goes on the monitoring list. No amount. Without `--previous`, or
/// for an institution without a previous figure, nothing is judged.
///
/// State: two accumulators per institution.
final class Growth: CaseRule {
  let spec: RuleSpec
  let cost: Bool
  let scope: CaseScope
  let threshold: Fixed

  init(_ spec: RuleSpec, _ context: RuleContext) throws(MIError) {
    self.spec = spec
    cost = try spec.choice("measure", ["visits", "cost"], default: "visits") == "cost"
    scope = try CaseScope.read(spec, default: .all)
    threshold = try spec.fixed("threshold", scale: 4, default: Fixed(raw: 2000, scale: 4))
  }

  func run(_ table: CaseTable, into findings: inout [Finding]) throws {
    guard let previous = table.previous else { return }
    let add: (inout Int64, borrowing AuditCase) -> Void = { x, c in x += self.cost ? c.medfeeSumamt : 1 }
    let now = Institutions(table.cases, initial: Int64(0), include: { self.scope.includes($0) }, add: add)
    let before = Institutions(previous, initial: Int64(0), include: { self.scope.includes($0) }, add: add)
    for code in now.codes {
      let e = now.entries[code]!
      guard let x0 = before.entries[code]?.value, x0 > 0 else { continue }
      let x1 = e.value
      guard ExactRatio.compareGrowth(Int128(x1), Int128(x0), threshold) > 0 else { continue }
      let growth = ExactRatio.quotient(Int128(x1 - x0), Int128(x0))
      let what = cost ? "医疗费用" : "结算人次"
      let fmt: (Int64) -> String = { self.cost ? yuan($0) : "\($0)人次" }
      var f = Finding(
        rule: spec, institution: code, e,
        volaCont:
          "机构\(code)\(scope.label)\(what)由上期\(fmt(x0))增至\(fmt(x1))，增长\(growth.plain)，超过\(threshold.plain)",
        volaEvid: "AUDIT.md H04（种子003）：结算人次和医疗费用增长过快的定点医疗机构列为监控重点", metric: growth,
        threshold: threshold)
      f.lead()
      findings.append(f)
    }
  }
}
