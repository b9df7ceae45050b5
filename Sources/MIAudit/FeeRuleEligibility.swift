import MICore

/// A01 kp-sex (AUDIT.md §3 A01, issue 14 item 3): an item restricted to one sex on a patient of the other. A
/// `gend` of 0 or 9 never fires (the national footnote exempts unclear sex). State: none. Amount: line E.
final class KpSexRule: FeeRule {
  let spec: RuleSpec
  let points: [String: SexPoint]

  init(_ spec: RuleSpec, _ context: RuleContext) throws {
    self.spec = spec
    points = try context.requireKnowledge(spec).sex
  }

  func visit(_ lines: ArraySlice<FeeLine>, case c: AuditCase?, into findings: inout [Finding]) throws {
    guard let g = c?.gend, g == "1" || g == "2" else { return }
    for l in lines {
      guard let p = points[l.medListCodg], p.allowedSex != g else { continue }
      let who = g == "1" ? "男性" : "女性"
      let allowed = p.allowedSex == "1" ? "男性" : "女性"
      findings.append(
        FeeRuleSupport.lineFinding(
          spec, l, c, amount: l.exposure,
          cont: "\(who)患者使用限\(allowed)的「\(p.point.name)」(\(l.medListCodg))，数量\(FeeRuleSupport.qty(l.cnt))",
          evid: FeeRuleSupport.evidence(p.point, "限\(allowed)使用"), point: p.point))
    }
  }

  func finish(into findings: inout [Finding]) throws {}
}

/// A02 kp-age: the patient's age at the fee day outside the item's band (completed years from `brdy`, else the
/// case's `age`; completed days for the neonate band from `brdy`, else `nwb_age`). The working-age band's upper
/// bound is the retirement age of the patient's sex (params). State: none. Amount: line E.
final class KpAgeRule: FeeRule {
  let spec: RuleSpec
  let points: [String: AgePoint]
  let retireMale: Int
  let retireFemale: Int

  init(_ spec: RuleSpec, _ context: RuleContext) throws {
    self.spec = spec
    points = try context.requireKnowledge(spec).age
    retireMale = try spec.int("retirement_age_male", default: 60)
    retireFemale = try spec.int("retirement_age_female", default: 55)
  }

  /// Why the age is outside the band, or nil when inside or unknown.
  func outside(_ p: AgePoint, _ l: FeeLine, _ c: AuditCase) -> String? {
    let years = c.birthDay.map { AuditAge.years(birthDay: $0, on: l.day) } ?? c.age
    if p.group == "neonate", let maxDays = p.maxAgeDays {
      let days = c.birthDay.map { l.day - $0 } ?? c.nwbAgeDays
      if let days { return days > maxDays ? "出生\(days)天，超过新生儿\(maxDays)天" : nil }
      if let years, years > (p.maxAge ?? 0) { return "\(years)岁，非新生儿" }
      return nil
    }
    guard let years else { return nil }
    if let lo = p.minAge, years < lo { return "\(years)岁，低于\(lo)岁" }
    if p.group == "working_age" {
      let retire: Int? = c.gend == "1" ? retireMale : (c.gend == "2" ? retireFemale : nil)
      if let retire, years >= retire { return "\(years)岁，已达法定退休年龄\(retire)岁" }
      return nil
    }
    if let hi = p.maxAge, years > hi { return "\(years)岁，超过\(hi)岁" }
    return nil
  }

  func visit(_ lines: ArraySlice<FeeLine>, case c: AuditCase?, into findings: inout [Finding]) throws {
    guard let c else { return }
    for l in lines {
      guard let p = points[l.medListCodg], let why = outside(p, l, c) else { continue }
      let band = AgeBand.text(p, retireMale: retireMale, retireFemale: retireFemale)
      findings.append(
        FeeRuleSupport.lineFinding(
          spec, l, c, amount: l.exposure,
          cont: "患者\(why)，使用限\(band)的「\(p.point.name)」(\(l.medListCodg))",
          evid: FeeRuleSupport.evidence(p.point, "限\(band)"), point: p.point))
    }
  }

  func finish(into findings: inout [Finding]) throws {}
}

/// The Chinese text of an age band.
enum AgeBand {
  static func text(_ p: AgePoint, retireMale: Int, retireFemale: Int) -> String {
    switch p.group {
    case "neonate": return "新生儿（≤\(p.maxAgeDays ?? 28)天）"
    case "infant_toddler": return "婴幼儿（\(p.minAge ?? 0)–\(p.maxAge ?? 2)岁）"
    case "working_age": return "法定就业年龄段（\(p.minAge ?? 16)岁至退休年龄：男\(retireMale)岁、女\(retireFemale)岁）"
    default: return "儿童（\(p.minAge ?? 0)–\(p.maxAge ?? 17)岁）"
    }
  }
}

/// A03 kp-insutype: a drug paid only by work-injury (工伤) or maternity (生育) insurance, settled under another
/// insurance type (the codes of each fund are params). State: none. Amount: line E.
final class KpInsutypeRule: FeeRule {
  let spec: RuleSpec
  let points: [String: InsutypePoint]
  let workInjury: Set<String>
  let maternity: Set<String>

  init(_ spec: RuleSpec, _ context: RuleContext) throws {
    self.spec = spec
    points = try context.requireKnowledge(spec).insutype
    workInjury = Set(try spec.strings("work_injury_insutypes", default: ["410"]))
    maternity = Set(try spec.strings("maternity_insutypes", default: ["510"]))
  }

  func visit(_ lines: ArraySlice<FeeLine>, case c: AuditCase?, into findings: inout [Finding]) throws {
    guard let c, let ins = c.insutype else { return }
    for l in lines {
      guard let p = points[l.medListCodg] else { continue }
      let work = p.allowed == "work_injury"
      guard !(work ? workInjury : maternity).contains(ins) else { continue }
      let fund = work ? "工伤保险" : "生育保险"
      findings.append(
        FeeRuleSupport.lineFinding(
          spec, l, c, amount: l.exposure,
          cont: "险种\(ins)结算使用限\(fund)支付的「\(p.point.name)」(\(l.medListCodg))",
          evid: FeeRuleSupport.evidence(p.point, "限\(fund)"), point: p.point))
    }
  }

  func finish(into findings: inout [Finding]) throws {}
}

/// A04 kp-mdtrt: a drug paid only for inpatients (or inpatients and emergencies) on another settlement; the
/// med_type prefixes are the rule set's settings. State: none. Amount: line E.
final class KpMdtrtRule: FeeRule {
  let spec: RuleSpec
  let points: [String: MdtrtPoint]
  let settings: AuditSettings

  init(_ spec: RuleSpec, _ context: RuleContext) throws {
    self.spec = spec
    points = try context.requireKnowledge(spec).mdtrt
    settings = context.settings
  }

  func visit(_ lines: ArraySlice<FeeLine>, case c: AuditCase?, into findings: inout [Finding]) throws {
    guard let c, let med = c.medType else { return }
    for l in lines {
      guard let p = points[l.medListCodg] else { continue }
      if p.inpatient && settings.isInpatient(med) { continue }
      if p.emergency && settings.isEmergency(med) { continue }
      let allowed = p.emergency ? "急诊或住院" : "住院"
      findings.append(
        FeeRuleSupport.lineFinding(
          spec, l, c, amount: l.exposure,
          cont: "医疗类别\(med)结算使用限\(allowed)的「\(p.point.name)」(\(l.medListCodg))",
          evid: FeeRuleSupport.evidence(p.point, "限\(allowed)"), point: p.point))
    }
  }

  func finish(into findings: inout [Finding]) throws {}
}

/// A05 kp-level: a drug restricted to hospitals of a minimum grade at a lower one. `hosp_lv` (the case's, else
/// the registry's) maps to a grade through `level_grades`; an unmapped or absent level is not judged. The five
/// 三级 eye drugs also qualify at grade `specialty_min_level` in `specialty_hospitals`. Rows `first_prescription`
/// restrict only the person's first use in the run (earliest fee time). State: for first-prescription codes,
/// the earliest line per person and code. Amount: line E.
final class KpLevelRule: FeeRule {
  let spec: RuleSpec
  let points: [String: LevelPoint]
  let grades: [String: Int]
  let specialty: Set<String>
  let hospitals: [String: String]
  /// person + code → the earliest use so far (line, case, its grade).
  private var first: [String: (HeldLine, Int?)] = [:]

  init(_ spec: RuleSpec, _ context: RuleContext) throws {
    self.spec = spec
    points = try context.requireKnowledge(spec).level
    var g: [String: Int] = ["0": 0, "1": 1, "2": 2, "3": 3]
    if let t = try spec.table("level_grades") {
      g = [:]
      for (k, v) in t {
        guard let i = Int(v), (0...3).contains(i) else {
          throw spec.invalid("level_grades", "grade of \"\(k)\" must be 0 to 3")
        }
        g[k] = i
      }
    }
    grades = g
    specialty = Set(try spec.strings("specialty_hospitals", default: []))
    hospitals = context.hospitals
  }

  func grade(_ l: FeeLine, _ c: AuditCase?) -> Int? {
    let lv = c?.hospLv ?? (l.fixmedinsCode ?? c?.fixmedinsCode).flatMap { hospitals[$0] }
    return lv.flatMap { grades[$0] }
  }

  func violates(_ p: LevelPoint, _ l: FeeLine, _ c: (any CaseKeyed)?, grade g: Int) -> Bool {
    if g >= p.minLevel { return false }
    if let s = p.specialtyMinLevel, let h = l.fixmedinsCode ?? c?.fixmedinsCode, specialty.contains(h), g >= s {
      return false
    }
    return true
  }

  func finding(_ p: LevelPoint, _ l: FeeLine, _ c: (any CaseKeyed)?, grade g: Int) -> Finding {
    let scope = p.firstPrescriptionOnly ? "首次处方" : "使用"
    return FeeRuleSupport.lineFinding(
      spec, l, c, amount: l.exposure,
      cont: "\(g)级医疗机构\(scope)限\(p.minLevel)级及以上医疗机构的「\(p.point.name)」(\(l.medListCodg))",
      evid: FeeRuleSupport.evidence(p.point, "限\(p.minLevel)级及以上医疗机构\(p.firstPrescriptionOnly ? "首次处方" : "")"),
      point: p.point)
  }

  func visit(_ lines: ArraySlice<FeeLine>, case c: AuditCase?, into findings: inout [Finding]) throws {
    for l in lines {
      guard let p = points[l.medListCodg] else { continue }
      let g = grade(l, c)
      if p.firstPrescriptionOnly {
        let k = FeeRuleSupport.person(l, c) + "\u{1F}" + l.medListCodg
        if let (held, _) = first[k], !FeeRuleSupport.earlier(l, than: held.line) { continue }
        first[k] = (HeldLine(line: l, c: c), g)
        continue
      }
      guard let g, violates(p, l, c, grade: g) else { continue }
      findings.append(finding(p, l, c, grade: g))
    }
  }

  func finish(into findings: inout [Finding]) throws {
    for (held, g) in first.values {
      guard let g, let p = points[held.line.medListCodg], violates(p, held.line, held.c, grade: g) else { continue }
      findings.append(finding(p, held.line, held.c, grade: g))
    }
  }
}

extension FeeRuleSupport {
  /// Input-order-free "earlier": fee time, then feedetl_sn.
  static func earlier(_ a: FeeLine, than b: FeeLine) -> Bool {
    if a.time != b.time { return a.time < b.time }
    if a.feedetlSN != b.feedetlSN { return a.feedetlSN.utf8.lexicographicallyPrecedes(b.feedetlSN.utf8) }
    return a.seq < b.seq
  }
}
