import Foundation
import MICore

/// One "5定" registration (定人员, 定机构, 定科室, 定医师, 定药品 and its daily dose): seed 003.
struct Registration: Sendable {
  var psnNo: String
  var fixmedinsCode: String
  var dept: String?
  var doctor: String?
  var code: String
  var dailyCnt: Fixed?
}

/// H01 registered-care ("5定", AUDIT.md §3 H, seed 003): for persons in the registration table, on settlements
/// of `med_types` (门诊慢特病 14 by default): a registered drug dispensed outside its registered hospital,
/// department or doctor, or a drug of the registered list not registered for this person → line E, 明确违规;
/// a quantity above `daily_cnt × (prd_days ?? 1)` → the excess quantity × pric (amt_mode excess on that finding).
/// State: the registration table (memory ∝ registrations).
final class RegisteredCareRule: FeeRule {
  let spec: RuleSpec
  let byPerson: [String: [Registration]]
  let listed: Set<String>
  let medTypes: [String]

  init(_ spec: RuleSpec, _ context: RuleContext) throws {
    self.spec = spec
    medTypes = try spec.strings("med_types", default: ["14"])
    let regs = try RegisteredCareRule.registrations(spec)
    var p: [String: [Registration]] = [:]
    for r in regs { p[r.psnNo, default: []].append(r) }
    byPerson = p
    listed = Set(regs.map(\.code))
  }

  /// The registrations: `registrations` is the path of an NDJSON table (relative to the rule-set file's
  /// directory) or an inline array of tables.
  static func registrations(_ spec: RuleSpec) throws -> [Registration] {
    switch spec.raw("registrations") {
    case .string(let path)?:
      let full = path.hasPrefix("/") ? path : ((spec.baseDirectory ?? ".") as NSString).appendingPathComponent(path)
      guard let data = FileManager.default.contents(atPath: full), let text = String(data: data, encoding: .utf8) else {
        throw spec.invalid("registrations", "cannot read \(full)")
      }
      var out: [Registration] = []
      let s = RecordScanner()
      for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        var l = String(line)
        if l.trimmingCharacters(in: .whitespaces).isEmpty { continue }
        let r: Result<Registration, FieldError> = l.withUTF8 { b in
          do {
            try s.parse(UnsafeRawBufferPointer(b))
            return .success(try registration(s))
          } catch let e as FieldError {
            return .failure(e)
          } catch {
            return .failure(FieldError(nil, "\(error)"))
          }
        }
        switch r {
        case .success(let reg): out.append(reg)
        case .failure(let e): throw MIError.reference(e.at(full, i + 1).message)
        }
      }
      return out
    case .array(let rows)?:
      var out: [Registration] = []
      for r in rows {
        guard case .table(let t) = r else { throw spec.invalid("registrations", "expected tables") }
        func str(_ k: String) -> String? {
          switch t[k] {
          case .string(let v)?, .number(let v)?: return v
          default: return nil
          }
        }
        guard let psn = str("psn_no"), let h = str("fixmedins_code"), let code = str("med_list_codg") else {
          throw spec.invalid("registrations", "each needs psn_no, fixmedins_code and med_list_codg")
        }
        out.append(
          Registration(
            psnNo: psn, fixmedinsCode: h, dept: str("bilg_dept_codg"), doctor: str("bilg_dr_codg"), code: code,
            dailyCnt: str("daily_cnt").flatMap { Fixed($0, scale: 4) }))
      }
      return out
    default:
      throw spec.invalid("registrations", "required: an NDJSON file path or an array of tables")
    }
  }

  static func registration(_ s: RecordScanner) throws(FieldError) -> Registration {
    guard let psn = try s.code("psn_no") else { throw FieldError("psn_no", "required") }
    guard let h = try s.code("fixmedins_code") else { throw FieldError("fixmedins_code", "required") }
    guard let code = try s.code("med_list_codg") else { throw FieldError("med_list_codg", "required") }
    let daily = try s.fixed("daily_cnt", scale: 4).map { Fixed(raw: $0, scale: 4) }
    return Registration(
      psnNo: psn, fixmedinsCode: h, dept: try s.code("bilg_dept_codg"), doctor: try s.code("bilg_dr_codg"),
      code: code, dailyCnt: daily)
  }

  func visit(_ lines: ArraySlice<FeeLine>, case c: AuditCase?, into findings: inout [Finding]) throws {
    guard let med = c?.medType, medTypes.contains(where: { med.hasPrefix($0) }) else { return }
    for l in lines where listed.contains(l.medListCodg) {
      let person = l.psnNo ?? c?.psnNo
      guard let person, let regs = byPerson[person] else { continue }
      let mine = regs.filter { $0.code == l.medListCodg }
      let hospital = l.fixmedinsCode ?? c?.fixmedinsCode
      if mine.isEmpty {
        findings.append(
          FeeRuleSupport.lineFinding(
            spec, l, c, amount: l.exposure, cont: "5定登记患者使用未登记的药品「\(l.medListCodg)」",
            evid: "5定管理：定药品（登记表未登记该患者的此药品）"))
        continue
      }
      let match = mine.first {
        $0.fixmedinsCode == hospital && ($0.dept == nil || $0.dept == l.bilgDeptCodg)
          && ($0.doctor == nil || $0.doctor == l.bilgDrCodg)
      }
      guard let match else {
        let r = mine[0]
        findings.append(
          FeeRuleSupport.lineFinding(
            spec, l, c, amount: l.exposure,
            cont: "「\(l.medListCodg)」在\(hospital ?? "?")/\(l.bilgDeptCodg ?? "?")/\(l.bilgDrCodg ?? "?")开具，"
              + "登记为\(r.fixmedinsCode)/\(r.dept ?? "-")/\(r.doctor ?? "-")",
            evid: "5定管理：定机构、定科室、定医师"))
        continue
      }
      guard let daily = match.dailyCnt else { continue }
      let limit = daily.multiplied(by: Fixed(integer: Int64(l.prdDays ?? 1), scale: 0), scale: 4)
      guard limit < l.cnt else { continue }
      let excess = l.cnt - limit
      let amount = min(l.exposure, FeeLine.fen(excess, l.pric))
      var f = FeeRuleSupport.lineFinding(
        spec, l, c, amount: amount,
        cont: "「\(l.medListCodg)」数量\(FeeRuleSupport.qty(l.cnt))超过登记剂量\(FeeRuleSupport.qty(daily))×"
          + "\(l.prdDays ?? 1)天，超出\(FeeRuleSupport.qty(excess))",
        evid: "5定管理：定剂量（每日\(FeeRuleSupport.qty(daily))）")
      f.amtMode = .excess
      f.detail = [FindingDetail(feedetlSN: l.feedetlSN, cnt: excess, volaAmt: amount)]
      findings.append(f)
    }
  }

  func finish(into findings: inout [Finding]) throws {}
}

/// H02 designated-site-quota (移植抗排异 at designated sites with an annual 额度, seed 003): `check = "site"`: a
/// line of `codes` at an institution not in `sites` → line E; `check = "quota"` (H02Q): Σ E of `codes` per
/// person and calendar year above `annual_quota` (yuan) → the excess, allocated to the latest lines first.
/// State: quota — the lines of `codes` per person-year until finish(), person-partitioned (`PersonSpill`).
final class DesignatedSiteRule: FeeRule {
  let spec: RuleSpec
  let codes: Set<String>
  let sites: Set<String>
  let quota: Int64?
  let held = PersonSpill()

  init(_ spec: RuleSpec, _ context: RuleContext) throws {
    self.spec = spec
    codes = Set(try spec.strings("codes", default: nil))
    let check = try spec.choice("check", ["site", "quota"], default: "site")
    if check == "quota" {
      quota = try spec.fixed("annual_quota", scale: 2, default: nil).raw
      sites = []
    } else {
      sites = Set(try spec.strings("sites", default: nil))
      quota = nil
    }
  }

  func visit(_ lines: ArraySlice<FeeLine>, case c: AuditCase?, into findings: inout [Finding]) throws {
    for l in lines where codes.contains(l.medListCodg) {
      if quota != nil {
        let year = AuditTime.civil(l.day).year
        try held.append(key: FeeRuleSupport.person(l, c) + "\u{1F}" + String(year), HeldLine(line: l, c: c))
        continue
      }
      let site = l.fixmedinsCode ?? c?.fixmedinsCode ?? ""
      guard !sites.contains(site) else { continue }
      findings.append(
        FeeRuleSupport.lineFinding(
          spec, l, c, amount: l.exposure, cont: "「\(l.medListCodg)」在非定点机构\(site)开具",
          evid: "定点机构管理：限定点机构 \(sites.sorted().joined(separator: "、"))"))
    }
  }

  func finish(into findings: inout [Finding]) throws {
    guard let quota else { return }
    try held.forEachGroup(into: &findings) { records, findings in
      evaluateQuota(records.map(\.held), quota, into: &findings)
    }
  }

  /// One person-year of H02Q.
  private func evaluateQuota(_ group: [HeldLine], _ quota: Int64, into findings: inout [Finding]) {
    let total = group.reduce(Int64(0)) { $0 + $1.line.exposure }
    guard total > quota else { return }
    let lines = group.map(\.line)
    let detail = FeeRuleSupport.allocateAmount(total - quota, over: lines)
    let byLine = Dictionary(group.map { ($0.line.feedetlSN, $0) }, uniquingKeysWith: { a, _ in a })
    let charged = detail.compactMap { byLine[$0.feedetlSN]?.line }
    let year = AuditTime.civil(lines[0].day).year
    findings.append(
      FeeRuleSupport.linesFinding(
        spec, detail, lines: charged, cases: [byLine[charged[0].feedetlSN]?.c],
        cont: "\(year)年度基金支付\(Money.format(total))元，超过年度额度\(Money.format(quota))元",
        evid: "年度额度 annual_quota \(Money.format(quota))元/人·年"))
  }
}

/// H03 dialysis (seed 003): `check = "person"`: sessions (Σ cnt of `codes`) per person and calendar month above
/// `cap` → the excess sessions × pric, latest first (state: dialysis lines per person-month); `check = "batch"`
/// (H03B): a session on a day other than its settlement's, or more than one session per settlement → 可疑, no
/// amount, key setl_id (state: none); `check = "provider"` (H03C): an institution's mean sessions per
/// patient-month above `baseline` → no amount, key fixmedins_code, metric and threshold (state: sessions per
/// institution, person and month).
final class DialysisRule: FeeRule {
  let spec: RuleSpec
  let codes: Set<String>
  let check: String
  let cap: Fixed
  let baseline: Fixed
  /// person: the session lines per person-month, person-partitioned (`PersonSpill`).
  let held = PersonSpill()
  /// provider → person-month → sessions.
  private var provider: [String: [String: Fixed]] = [:]
  /// provider → the latest session day (its month's end is the finding's period end).
  private var providerLastDay: [String: Int] = [:]

  init(_ spec: RuleSpec, _ context: RuleContext) throws {
    self.spec = spec
    codes = Set(try spec.strings("codes", default: nil))
    check = try spec.choice("check", ["person", "batch", "provider"], default: "person")
    cap =
      check == "person"
      ? try spec.fixed("cap", scale: 4, default: Fixed(integer: 13, scale: 4)) : Fixed(raw: 0, scale: 4)
    baseline =
      check == "provider"
      ? try spec.fixed("baseline", scale: 2, default: Fixed("10.68", scale: 2)!) : Fixed(raw: 0, scale: 2)
  }

  static func month(_ day: Int) -> String {
    let c = AuditTime.civil(day)
    return "\(c.year)-\(c.month < 10 ? "0" : "")\(c.month)"
  }

  func visit(_ lines: ArraySlice<FeeLine>, case c: AuditCase?, into findings: inout [Finding]) throws {
    let sessions = lines.filter { codes.contains($0.medListCodg) }
    guard !sessions.isEmpty else { return }
    switch check {
    case "person":
      for l in sessions {
        try held.append(
          key: FeeRuleSupport.person(l, c) + "\u{1F}" + DialysisRule.month(l.day), HeldLine(line: l, c: c))
      }
    case "batch":
      batch(sessions, c, into: &findings)
    default:
      for l in sessions {
        let h = l.fixmedinsCode ?? c?.fixmedinsCode ?? ""
        let k = FeeRuleSupport.person(l, c) + "\u{1F}" + DialysisRule.month(l.day)
        provider[h, default: [:]][k, default: Fixed(raw: 0, scale: 4)] =
          (provider[h]?[k] ?? Fixed(raw: 0, scale: 4)) + l.cnt
        providerLastDay[h] = max(providerLastDay[h] ?? l.day, l.day)
      }
    }
  }

  private func batch(_ sessions: [FeeLine], _ c: AuditCase?, into findings: inout [Finding]) {
    let total = sessions.reduce(Fixed(raw: 0, scale: 4)) { $0 + $1.cnt }
    let setlDay = c?.setlTime.map(AuditTime.day)
    let offDay = setlDay.flatMap { d in sessions.first { $0.day != d } }
    guard total > Fixed(integer: 1, scale: 4) || offDay != nil else { return }
    let latest = sessions.sorted(by: FeeRuleSupport.latestFirst)
    var why: [String] = []
    if total > Fixed(integer: 1, scale: 4) { why.append("一次结算含透析\(FeeRuleSupport.qty(total))次") }
    if let o = offDay, let d = setlDay {
      why.append("透析日期\(AuditTime.dateText(o.day))与结算日期\(AuditTime.dateText(d))不符")
    }
    var f = FeeRuleSupport.linesFinding(
      spec, [], lines: latest, cases: [c], cont: why.joined(separator: "；"),
      evid: "血液透析按次结算：每次透析当日结算一次")
    f.key = c?.setlID ?? latest[0].setlID ?? latest[0].feedetlSN
    f.seq = c?.seq ?? latest[0].seq
    if let d = setlDay { f.occurDate = AuditTime.dateText(d) }
    findings.append(f)
  }

  func finish(into findings: inout [Finding]) throws {
    if check == "person" {
      try held.forEachGroup(into: &findings) { records, findings in
        evaluatePerson(records.map(\.held), into: &findings)
      }
    } else if check == "provider" {
      providerFindings(into: &findings)
    }
  }

  /// One person-month of H03.
  private func evaluatePerson(_ group: [HeldLine], into findings: inout [Finding]) {
    let total = group.reduce(Fixed(raw: 0, scale: 4)) { $0 + $1.line.cnt }
    guard cap < total else { return }
    let lines = group.map(\.line)
    let detail = FeeRuleSupport.allocateExcess(total - cap, over: lines)
    guard !detail.isEmpty else { return }
    let byLine = Dictionary(group.map { ($0.line.feedetlSN, $0) }, uniquingKeysWith: { a, _ in a })
    let charged = detail.compactMap { byLine[$0.feedetlSN]?.line }
    findings.append(
      FeeRuleSupport.linesFinding(
        spec, detail, lines: charged, cases: [byLine[charged[0].feedetlSN]?.c],
        cont: "\(DialysisRule.month(lines[0].day))透析\(FeeRuleSupport.qty(total))次，超过每月\(FeeRuleSupport.qty(cap))次",
        evid: "血液透析频次：每人每月不超过\(FeeRuleSupport.qty(cap))次"))
  }

  private func providerFindings(into findings: inout [Finding]) {
    for (h, perPersonMonth) in provider {
      let total = perPersonMonth.values.reduce(Fixed(raw: 0, scale: 4)) { $0 + $1 }
      guard let mean = total.divided(by: Fixed(integer: Int64(perPersonMonth.count), scale: 0), scale: 2),
        baseline < mean
      else { continue }
      var f = Finding(
        rule: spec,
        volaCont: "机构\(h)人均每月透析\(mean)次（\(perPersonMonth.count)个患者月），高于基线\(baseline)次",
        volaAmt: 0, volaEvid: "血液透析监测指标：机构人均每月透析次数基线\(baseline)", key: h, seq: 0)
      f.fixmedinsCode = h
      if let last = providerLastDay[h] {
        let c = AuditTime.civil(last)
        f.occurDate = AuditTime.dateText(
          AuditTime.dayNumber(year: c.year, month: c.month, day: DateTime.days(c.year, c.month)))
      }
      f.metric = mean.description
      f.threshold = baseline.description
      findings.append(f)
    }
  }
}

extension DesignatedSiteRule: PersonStateRule { var personSpills: [PersonSpill] { [held] } }
extension DialysisRule: PersonStateRule { var personSpills: [PersonSpill] { [held] } }
