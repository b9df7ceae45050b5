import MICore

/// D01 fee-outside-stay (AUDIT.md §3 D01): a fee line of an inpatient case whose day is before the admission day
/// or after the discharge day plus `grace_days`. State: none. Amount: line E, 可疑.
final class FeeOutsideStayRule: FeeRule {
  let spec: RuleSpec
  let grace: Int

  init(_ spec: RuleSpec, _ context: RuleContext) throws {
    self.spec = spec
    grace = try spec.int("grace_days", default: 0)
  }

  func visit(_ lines: ArraySlice<FeeLine>, case c: AuditCase?, into findings: inout [Finding]) throws {
    guard let c, c.isInpatient, let adm = c.admTime, let dscg = c.dscgTime else { return }
    let first = AuditTime.day(adm)
    let last = AuditTime.day(dscg) + grace
    for l in lines where l.day < first || l.day > last {
      let when = l.day < first ? "早于入院日\(AuditTime.dateText(first))" : "晚于出院日\(AuditTime.dateText(AuditTime.day(dscg)))"
      findings.append(
        FeeRuleSupport.lineFinding(
          spec, l, c, amount: l.exposure,
          cont: "「\(l.medListCodg)」计费日期\(AuditTime.dateText(l.day))\(when)",
          evid: "计费日期与住院时间不符（GZ10000201008000）\(grace > 0 ? "，出院后宽限\(grace)天" : "")"))
    }
  }

  func finish(into findings: inout [Finding]) throws {}
}

/// D08 bed-only-days (AUDIT.md §3 D08, 挂床住院): at least `min_days` consecutive in-stay days of an inpatient
/// case on which every line is of a `med_chrgitm_type` in `only_types` (床位, 诊查, 护理 by default). One finding
/// per case, key setl_id, amount the E of those days' lines, 可疑. State: none.
final class BedOnlyDaysRule: FeeRule {
  let spec: RuleSpec
  let minDays: Int
  let only: Set<String>

  init(_ spec: RuleSpec, _ context: RuleContext) throws {
    self.spec = spec
    minDays = try spec.int("min_days", default: 3)
    only = Set(try spec.strings("only_types", default: ["01", "02", "07"]))
    guard minDays >= 1 else { throw spec.invalid("min_days", "must be at least 1") }
  }

  /// The days of runs of at least `minDays` consecutive days in `onlyDays` (sorted).
  static func runDays(_ onlyDays: [Int], minDays: Int) -> [Int] {
    var out: [Int] = []
    var run: [Int] = []
    for d in onlyDays {
      if let last = run.last, d != last + 1 {
        if run.count >= minDays { out += run }
        run = []
      }
      run.append(d)
    }
    if run.count >= minDays { out += run }
    return out
  }

  func visit(_ lines: ArraySlice<FeeLine>, case c: AuditCase?, into findings: inout [Finding]) throws {
    guard let c, c.isInpatient, let adm = c.admTime, let dscg = c.dscgTime else { return }
    // Most stays have no line of the only_types at all, or too few: nothing to group by day.
    guard lines.count >= minDays, lines.contains(where: { only.contains($0.medChrgitmType ?? "") }) else { return }
    let stay = AuditTime.day(adm)...AuditTime.day(dscg)
    var byDay: [Int: [FeeLine]] = [:]
    for l in lines where stay.contains(l.day) { byDay[l.day, default: []].append(l) }
    let onlyDays = byDay.keys.sorted().filter { d in byDay[d]!.allSatisfy { only.contains($0.medChrgitmType ?? "") } }
    let days = BedOnlyDaysRule.runDays(onlyDays, minDays: minDays)
    guard !days.isEmpty else { return }
    let charged = days.flatMap { byDay[$0]! }.sorted(by: FeeRuleSupport.latestFirst)
    let detail = charged.map { FindingDetail(feedetlSN: $0.feedetlSN, cnt: $0.cnt, volaAmt: $0.exposure) }
    var f = FeeRuleSupport.linesFinding(
      spec, detail, lines: charged, cases: [c],
      cont: "住院期间连续\(days.count)天（\(AuditTime.dateText(days[0]))起）仅收取床位、诊查、护理类费用，疑似挂床住院",
      evid: "挂床住院：连续≥\(minDays)天仅有医疗收费项目类别 \(only.sorted().joined(separator: "/")) 的费用")
    f.key = c.setlID
    f.seq = c.seq
    f.setlID = c.setlID
    f.occurDate = AuditTime.dateText(days[0])
    findings.append(f)
  }

  func finish(into findings: inout [Finding]) throws {}
}
