import Foundation
import MICore

/// Plants of the institution indicators (ratio, dual-control, growth, upcoding-indicator; AUDIT.md §3 F03, F04,
/// G01, H04): a dedicated institution, outside the pool's regular hospitals, whose cases of this period and of
/// the previous one (--previous-out) cross the planted rule's limit.
///
/// One institution can cross several indicators at once (more admissions than last year is both growth and the
/// dual-control volume cap), so the manifest rows come from `InstitutionOracle`, which evaluates every enabled
/// indicator on the institution's totals with the rule's parameters, not from the planted rule alone.
extension Planting {
  /// Whether the rule is an institution indicator planted here.
  static func isInstitutionRule(_ type: String) -> Bool {
    ["ratio", "dual-control", "growth", "upcoding-indicator"].contains(type)
  }

  /// Why an institution rule cannot be planted, or nil.
  static func cannotPlantInstitution(_ r: PlantRuleList.Rule) -> String? {
    switch r.type {
    case "upcoding-indicator":
      return nil
    case "dual-control":
      return r.table["caps"] == nil ? nil : "caps come from a file, not from --previous"
    default: return nil
    }
  }

  /// Plants an institution rule: the dedicated institution's cases go to `extra` (this period) and to
  /// `previousOnly` (the previous period), and the oracle's findings to the manifest.
  mutating func plantInstitution(
    _ r: PlantRuleList.Rule, turn: Int, extra: inout [GenCase], maker: inout CaseMaker, writer: GenWriter
  ) {
    let inst = hospitals + dedicated
    dedicated += 1
    // The institution's cases are copies of one template, so that its averages are exact multiples.
    var template = maker.clean(serial: 0, person: 0, inst: inst)
    maker.restay(&template, adm: min(template.admDay, maker.days - 80), los: template.dscgDay - template.admDay)
    template.hospLv = 2
    template.ownOutpatients = true
    let plan = institutionPlan(r, turn: turn, template: template, maker: maker)
    let (current, previous) = institutionCases(plan, maker: &maker)
    for c in current {
      extra.append(c)
      for _ in 0..<plan.companions {
        var o = maker.companion(of: c)
        o.inPrevious = false
        extra.append(o)
      }
    }
    for p in previous {
      previousOnly.append(p)
      for _ in 0..<plan.companions { previousOnly.append(maker.companion(of: p)) }
    }
    let code = String(decoding: writer.instCode(inst), as: UTF8.self)
    let oracle = InstitutionOracle(
      current: current, companionsNow: plan.companions * current.count, previous: previous,
      companionsBefore: plan.companions * previous.count, companion: maker.companionFee)
    for rule in rules.rules where oracle.fires(rule) { writerMarks.append((rule.id, code)) }
  }

  /// How a dedicated institution crosses one indicator: its admissions now and last year, the outpatient
  /// settlements per admission, the persons admitted twice, and the case of each period.
  struct InstitutionPlan {
    var now = 4
    var before = 4
    var companions: Int
    /// When positive, this many persons each admitted twice (visits per person).
    var persons = 0
    var nowTemplate: GenCase
    var beforeTemplate: GenCase
  }

  /// The plan that crosses rule `r` (AUDIT.md §3 F03, F04, G01, H04), from a clean template case.
  func institutionPlan(_ r: PlantRuleList.Rule, turn: Int, template: GenCase, maker: CaseMaker) -> InstitutionPlan {
    var plan = InstitutionPlan(companions: outpatientPerCase, nowTemplate: template, beforeTemplate: template)
    let rest = template.lines.reduce(Int64(0)) { $0 + $1.amount }
    let g = Decimal4(r.decimal("allowed_growth", "0.10"))
    let t = Decimal4(r.decimal("threshold", "0.20"))
    switch r.type {
    case "ratio":
      switch r.string("metric", "self_pay_share") {
      case "drug_share":
        // Drugs twice the rest of the case: a share of two thirds.
        plan.nowTemplate.lines.append(bigLine(maker.catalogue.drug, amount: 2 * rest, template))
      case "outpatient_inpatient":
        // A lower bound (the default): no outpatient settlements; an upper one: many.
        plan.companions =
          r.table["max"] != nil && r.table["min"] == nil ? Int(Decimal4(r.decimal("max", "5")).raw / 10_000) + 2 : 0
      case "visits_per_person":
        // Three persons admitted twice each, far enough apart to be no readmission: 2 visits per person.
        plan.persons = 3
        plan.now = 6
      default:
        // Self-paid (丙) material as much as the rest of the case: a share of a half.
        var l = bigLine(maker.catalogue.any[2], amount: rest, template)
        l.level = 3
        l.ownpay = l.amount
        plan.nowTemplate.lines.append(l)
      }
      plan.beforeTemplate = plan.nowTemplate
      plan.before = plan.now
    case "dual-control" where r.string("check", "cost") == "volume":
      // n above ⌊n₀ × (1 + g)⌋ by one admission.
      plan.before = 20
      plan.now = Int(Int64(plan.before) * (10_000 + g.raw) / 10_000) + 1
    case "dual-control":
      // The same admissions, each dearer by g + 5%.
      plan.nowTemplate.lines.append(
        bigLine(maker.catalogue.treatment[1], amount: rest * (g.raw + 500) / 10_000 + 1, template))
    case "growth" where r.string("measure", "visits") == "cost":
      plan.nowTemplate.lines.append(
        bigLine(maker.catalogue.treatment[1], amount: rest * (t.raw + 500) / 10_000 + 1, template))
    case "growth":
      plan.before = 10
      plan.now = Int(Int64(plan.before) * (10_000 + t.raw) / 10_000) + 1
    case "upcoding-indicator" where r.string("indicator", "cmi") == "mcc_share":
      // Every case in a group with an MCC mark now, none last year (the mark at mcc_position of group_code).
      let position = r.int("mcc_position", 4)
      let mark = r.strings("mcc_marks", ["1"]).first ?? "1"
      let prefix = "FM" + String(repeating: "0", count: max(0, position - 3))
      plan.nowTemplate.groupCode = prefix + mark + String(format: "%04d", turn)
      plan.beforeTemplate.groupCode = prefix + (mark == "9" ? "8" : "9") + String(format: "%04d", turn)
    default:
      // upcoding-indicator (cmi): weights 1.0000 last year, 1.5000 now.
      plan.beforeTemplate.weight = 10_000
      plan.nowTemplate.weight = 15_000
    }
    return plan
  }

  /// The institution's cases of this period (not in the previous one) and of the previous period.
  func institutionCases(_ plan: InstitutionPlan, maker: inout CaseMaker) -> ([GenCase], [GenCase]) {
    var current: [GenCase] = []
    var previous: [GenCase] = []
    for k in 0..<max(plan.now, plan.before) {
      let again = plan.persons > 0 && k >= plan.persons
      let person = again ? current[k % plan.persons].person : maker.person()
      if k < plan.now {
        var c = plan.nowTemplate
        c.serial = maker.serial()
        c.person = person
        if again {
          // The second admission 60 days after the first: no readmission window and no overlap.
          let first = current[k % plan.persons]
          c.admDay = first.admDay + 60
          c.dscgDay = first.dscgDay + 60
          for i in c.lines.indices { c.lines[i].day += 60 }
          (c.gend, c.age, c.birthYear, c.birthDay) = (first.gend, first.age, first.birthYear, first.birthDay)
        }
        c.inPrevious = false
        current.append(c)
      }
      if k < plan.before {
        var p = plan.beforeTemplate
        p.serial = maker.serial()
        p.person = person
        previous.append(p)
      }
    }
    return (current, previous)
  }

  /// A line of `item` whose amount is at least `amount` (the count raised as needed), on the case's first day.
  func bigLine(_ item: CleanCatalogue.Item, amount: Int64, _ c: GenCase) -> GenLine {
    let cnt = Int((amount + item.pric - 1) / item.pric)
    return GenLine(
      code: item.code, listType: item.listType, itemType: item.itemType, level: 1, cnt: max(1, cnt), pric: item.pric,
      cap: item.pric + item.pric / 5, day: c.admDay, secs: 12 * 3600, dept: c.doctor % 12, doctor: c.doctor)
  }
}

/// A decimal parameter at scale 4 (`0.10` → 1000), from the rule file's text.
struct Decimal4 {
  var raw: Int64
  init(_ text: String) {
    raw = Fixed(text, scale: 4)?.raw ?? 0
  }
}

/// Evaluates the institution indicators of a rule set on one dedicated institution, as issue 14 §3 and the rule
/// types define them (strict limits: a ratio or growth exactly at its limit passes), from exact fen totals.
struct InstitutionOracle {
  let current: [GenCase]
  let companionsNow: Int
  let previous: [GenCase]
  let companionsBefore: Int
  /// The fee of one companion outpatient settlement (they all cost the same: CaseMaker.companionFee).
  let companion: Int64

  /// Σ amount, Σ self-paid and Σ drug items of a case.
  static func sums(_ c: GenCase) -> (fee: Int64, own: Int64, drug: [Int: Int64]) {
    var fee: Int64 = 0
    var own: Int64 = 0
    var items: [Int: Int64] = [:]
    for l in c.lines {
      fee += l.amount
      own += l.ownpay
      items[l.itemType, default: 0] += l.amount
    }
    return (fee, own, items)
  }

  /// Whether `rule` gives a finding on the institution.
  ///
  /// Longer than ~60 lines on purpose: one case per indicator type, each a few lines of exact arithmetic that
  /// reads best beside the others it must agree with.
  func fires(_ r: PlantRuleList.Rule) -> Bool {
    let n1 = Int64(current.count)
    let n0 = Int64(previous.count)
    let s1 = current.reduce(Int64(0)) { $0 + InstitutionOracle.sums($1).fee }
    let s0 = previous.reduce(Int64(0)) { $0 + InstitutionOracle.sums($1).fee }
    switch r.type {
    case "ratio":
      return ratioFires(r, n1: n1, s1: s1)
    case "dual-control":
      let g = Decimal4(r.decimal("allowed_growth", "0.10")).raw
      guard n0 > 0, r.table["caps"] == nil else { return false }
      if r.string("check", "cost") == "volume" { return n1 > n0 * (10_000 + g) / 10_000 }
      // Quota = S₀/n₀ × (1 + g), rounded half-up to the fen.
      let num = Int128(s0) * Int128(10_000 + g)
      let den = Int128(n0) * 10_000
      let quota = Int64((2 * num + den) / (2 * den))
      return s1 - quota * n1 > 0
    case "growth":
      let t = Decimal4(r.decimal("threshold", "0.20")).raw
      let scope = r.string("scope", "all")
      var x1: Int64
      var x0: Int64
      if r.string("measure", "visits") == "cost" {
        (x1, x0) = (scope == "outpatient" ? 0 : s1, scope == "outpatient" ? 0 : s0)
        if scope != "inpatient" {
          x1 += Int64(companionsNow) * companion
          x0 += Int64(companionsBefore) * companion
        }
      } else {
        (x1, x0) = (scope == "outpatient" ? 0 : n1, scope == "outpatient" ? 0 : n0)
        if scope != "inpatient" {
          x1 += Int64(companionsNow)
          x0 += Int64(companionsBefore)
        }
      }
      return x0 > 0 && Int128(x1) * 10_000 > Int128(x0) * Int128(10_000 + t)
    case "upcoding-indicator" where r.string("indicator", "cmi") == "mcc_share":
      let limit = Decimal4(r.decimal("mcc_share_growth", "0.05")).raw
      let position = r.int("mcc_position", 4)
      let marks = r.strings("mcc_marks", ["1"])
      func share(_ cases: [GenCase]) -> (Int64, Int64) {
        let grouped = cases.compactMap(\.groupCode)
        let mcc = grouped.filter { g in
          let chars = Array(g)
          return chars.count >= position && marks.contains(String(chars[position - 1]))
        }
        return (Int64(mcc.count), Int64(grouped.count))
      }
      let (m1, g1) = share(current)
      let (m0, g0) = share(previous)
      guard g1 > 0, g0 > 0 else { return false }
      // m₁/g₁ − m₀/g₀ > limit, over the common denominator.
      return (Int128(m1) * Int128(g0) - Int128(m0) * Int128(g1)) * 10_000 > Int128(limit) * Int128(g1) * Int128(g0)
    case "upcoding-indicator":
      let limit = Decimal4(r.decimal("cmi_growth", "0.10")).raw
      let w1 = current.compactMap(\.weight).reduce(Int64(0), +)
      let w0 = previous.compactMap(\.weight).reduce(Int64(0), +)
      let c1 = Int64(current.compactMap(\.weight).count)
      let c0 = Int64(previous.compactMap(\.weight).count)
      guard c1 > 0, c0 > 0, w0 > 0 else { return false }
      return Int128(w1) * Int128(c0) * 10_000 > Int128(10_000 + limit) * Int128(w0) * Int128(c1)
    default:
      return false
    }
  }

  /// A ratio indicator: self-pay share, drug share, outpatient to inpatient, visits per person.
  func ratioFires(_ r: PlantRuleList.Rule, n1: Int64, s1: Int64) -> Bool {
    let metric = r.string("metric", "self_pay_share")
    var num: Int64
    var den: Int64
    let shares = metric == "self_pay_share" || metric == "drug_share"
    let scope = shares ? r.string("scope", "inpatient") : "all"
    switch metric {
    case "drug_share":
      let items = r.strings("items", ["09", "10", "11"]).compactMap { Int($0) }
      num = current.reduce(Int64(0)) { t, c in
        t + items.reduce(Int64(0)) { $0 + (InstitutionOracle.sums(c).drug[$1] ?? 0) }
      }
      den = s1
    case "outpatient_inpatient":
      (num, den) = (Int64(companionsNow), n1)
    case "visits_per_person":
      (num, den) = (n1, Int64(Set(current.map(\.person)).count))
    default:
      num = current.reduce(Int64(0)) { $0 + InstitutionOracle.sums($1).own }
      den = s1
    }
    if scope != "inpatient" && shares {
      // Companion settlements: one clean line each, never self-paid; a drug line counts in a drug share.
      den += Int64(companionsNow) * companion
    }
    guard den > 0 else { return false }
    let defaults: (String?, String?) =
      switch metric {
      case "drug_share": ("0.30", nil)
      case "outpatient_inpatient": (nil, "5")
      case "visits_per_person": ("1.20", nil)
      default: ("0.10", nil)
      }
    // A rule that sets only one bound replaces the default bound of the other side.
    let maxText = r.table["max"] != nil ? r.decimal("max", "0") : (r.table["min"] == nil ? defaults.0 : nil)
    let minText = r.table["min"] != nil ? r.decimal("min", "0") : (r.table["max"] == nil ? defaults.1 : nil)
    let value = Int128(num) * 10_000
    if let m = maxText, value > Int128(Decimal4(m).raw) * Int128(den) { return true }
    if let m = minText, value < Int128(Decimal4(m).raw) * Int128(den) { return true }
    return false
  }
}
