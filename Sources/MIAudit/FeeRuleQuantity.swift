import MICore

/// A per-day quantity limit of one code (kp-frequency calendar_day rows, or the local `frequency` rule).
struct DayLimit: Sendable {
  var maxCount: Fixed
  var unit: String
  var point: KnowledgePoint?
  var name: String
}

/// C01 kp-frequency (period_kind calendar_day) and the local `frequency` (AUDIT.md §3 C01): the quantity of a code
/// per person and calendar day above `max_count`. Amount: excess × pric allocated to the latest lines first,
/// each at most its E; one finding per person, code and day, keyed by its latest charged line. State: the lines
/// of listed codes per person, code and day until finish(), person-partitioned (`PersonSpill`).
///
/// Not decided per visit: a person's day may have lines in several visits (an outpatient visit beside a stay, a
/// visit without a case), and the excess is allocated over all of them latest first, so only the whole
/// person-day gives the exact amounts.
final class DayFrequencyRule: FeeRule {
  let spec: RuleSpec
  let limits: [String: DayLimit]
  let held = PersonSpill()

  init(_ spec: RuleSpec, limits: [String: DayLimit]) {
    self.spec = spec
    self.limits = limits
  }

  /// kp-frequency rows of `period_kind` calendar_day (C01) or rolling (C02).
  static func knowledge(_ spec: RuleSpec, _ context: RuleContext) throws -> any FeeRule {
    let k = try context.requireKnowledge(spec)
    let kind = try spec.choice("period_kind", ["calendar_day", "rolling"], default: "calendar_day")
    if kind == "rolling" { return RollingFrequencyRule(spec, points: k.frequency.filter { $0.value.rolling }) }
    var limits: [String: DayLimit] = [:]
    for (code, p) in k.frequency where !p.rolling {
      limits[code] = DayLimit(maxCount: p.maxCount, unit: p.countUnit, point: p.point, name: p.point.name)
    }
    return DayFrequencyRule(spec, limits: limits)
  }

  /// frequency: `codes`, `max_count` per calendar day.
  static func local(_ spec: RuleSpec, _ context: RuleContext) throws -> any FeeRule {
    let codes = try spec.strings("codes", default: nil)
    let max = try spec.fixed("max_count", scale: 4, default: nil)
    var limits: [String: DayLimit] = [:]
    for c in codes { limits[c] = DayLimit(maxCount: max, unit: "times", point: nil, name: c) }
    return DayFrequencyRule(spec, limits: limits)
  }

  func visit(_ lines: ArraySlice<FeeLine>, case c: AuditCase?, into findings: inout [Finding]) throws {
    for l in lines where limits[l.medListCodg] != nil {
      try held.append(
        key: FeeRuleSupport.person(l, c) + "\u{1F}" + l.medListCodg + "\u{1F}" + String(l.day), HeldLine(line: l, c: c))
    }
  }

  func finish(into findings: inout [Finding]) throws {
    try held.forEachGroup(into: &findings) { records, findings in
      evaluate(records.map(\.held), into: &findings)
    }
  }

  /// One person, code and day.
  private func evaluate(_ group: [HeldLine], into findings: inout [Finding]) {
    let first = group[0].line
    guard let lim = limits[first.medListCodg] else { return }
    let total = group.reduce(Fixed(raw: 0, scale: 4)) { $0 + $1.line.cnt }
    guard lim.maxCount < total else { return }
    let excess = total - lim.maxCount
    let lines = group.map(\.line)
    let detail = FeeRuleSupport.allocateExcess(excess, over: lines)
    guard !detail.isEmpty else { return }
    let latest = lines.sorted(by: FeeRuleSupport.latestFirst)
    let unit = lim.unit == "hour" ? "小时" : (lim.unit == "day" ? "日" : "次")
    let byLine = Dictionary(group.map { ($0.line.feedetlSN, $0) }, uniquingKeysWith: { a, _ in a })
    let charged = detail.compactMap { byLine[$0.feedetlSN]?.line }
    var f = FeeRuleSupport.linesFinding(
      spec, detail, lines: charged.isEmpty ? latest : charged,
      cases: [charged.first.flatMap { byLine[$0.feedetlSN]?.c } ?? group[0].c],
      cont:
        "「\(lim.name)」(\(first.medListCodg))\(AuditTime.dateText(first.day))计费\(FeeRuleSupport.qty(total))\(unit)，"
        + "超过每日限定\(FeeRuleSupport.qty(lim.maxCount))\(unit)，超出\(FeeRuleSupport.qty(excess))",
      evid: lim.point.map { FeeRuleSupport.evidence($0, "每日限\(FeeRuleSupport.qty(lim.maxCount))\(unit)") }
        ?? "本地规则：每日限\(FeeRuleSupport.qty(lim.maxCount))\(unit)",
      point: lim.point)
    f.occurDate = AuditTime.dateText(first.day)
    findings.append(f)
  }
}

/// C02 kp-frequency (rolling rows, AUDIT.md §3 C02): per person and code, more occurrences (lines) than
/// `max_count` in any window of `period_days` days. In time order, a line is an excess occurrence when the
/// occurrences kept in its window (the `period_days` days ending on its day) already reach the limit; each
/// excess line is a finding, amount its quantity × pric at most E. State: the lines of listed codes per person
/// and code until finish(), person-partitioned (`PersonSpill`).
final class RollingFrequencyRule: FeeRule {
  let spec: RuleSpec
  let points: [String: FrequencyPoint]
  let held = PersonSpill()

  init(_ spec: RuleSpec, points: [String: FrequencyPoint]) {
    self.spec = spec
    self.points = points
  }

  func visit(_ lines: ArraySlice<FeeLine>, case c: AuditCase?, into findings: inout [Finding]) throws {
    for l in lines where points[l.medListCodg] != nil {
      try held.append(key: FeeRuleSupport.person(l, c) + "\u{1F}" + l.medListCodg, HeldLine(line: l, c: c))
    }
  }

  /// The excess occurrences of one person's lines of one code (greedy in time order).
  static func excessLines(_ lines: [FeeLine], maxCount: Int, periodDays: Int) -> [FeeLine] {
    var kept: [Int] = []  // days of kept occurrences
    var out: [FeeLine] = []
    for l in lines.sorted(by: { FeeRuleSupport.earlier($0, than: $1) }) {
      let inWindow = kept.reduce(0) { $0 + ($1 > l.day - periodDays ? 1 : 0) }
      if inWindow >= maxCount { out.append(l) } else { kept.append(l.day) }
    }
    return out
  }

  func finish(into findings: inout [Finding]) throws {
    try held.forEachGroup(into: &findings) { records, findings in
      evaluate(records.map(\.held), into: &findings)
    }
  }

  /// One person and code.
  private func evaluate(_ group: [HeldLine], into findings: inout [Finding]) {
    guard let p = points[group[0].line.medListCodg] else { return }
    let max = Int(p.maxCount.rescaled(to: 0).raw)
    let caseOf = Dictionary(group.map { ($0.line.seq, $0.c) }, uniquingKeysWith: { a, _ in a })
    for l in RollingFrequencyRule.excessLines(group.map(\.line), maxCount: max, periodDays: p.periodDays) {
      let amount = min(l.exposure, FeeLine.fen(l.cnt, l.pric))
      findings.append(
        FeeRuleSupport.lineFinding(
          spec, l, caseOf[l.seq] ?? nil, amount: amount,
          cont: "「\(p.point.name)」(\(l.medListCodg))在\(p.periodDays)天周期内超过\(max)次，"
            + "\(AuditTime.dateText(l.day))为超出的一次",
          evid: FeeRuleSupport.evidence(p.point, "\(p.periodDays)天内限\(max)次"), point: p.point))
    }
  }
}

/// C03 kp-course (AUDIT.md §3 C03): days of use beyond `max_days` per person and code (per visit for rows of
/// course_scope admission). `days_used` counts distinct days of use, and the days after the first `max_days` are
/// excess; `span_from_first_use` makes every day after first use + max_days − 1 excess. The lines of excess days
/// are charged quantity × pric, at most E, in one finding per person (or visit) and code, keyed by its latest
/// line. State: per-person lines of listed codes until finish(), person-partitioned (`PersonSpill`);
/// admission-scope codes none.
final class CourseRule: FeeRule {
  let spec: RuleSpec
  let points: [String: CoursePoint]
  let held = PersonSpill()

  init(_ spec: RuleSpec, _ context: RuleContext) throws {
    self.spec = spec
    points = try context.requireKnowledge(spec).course
  }

  /// The days of `days` (any order, repeats allowed) beyond the limit.
  static func excessDays(_ days: [Int], maxDays: Int, spanFromFirstUse: Bool) -> Set<Int> {
    let distinct = Array(Set(days)).sorted()
    guard let first = distinct.first else { return [] }
    if spanFromFirstUse { return Set(distinct.filter { $0 > first + maxDays - 1 }) }
    return Set(distinct.dropFirst(maxDays))
  }

  func visit(_ lines: ArraySlice<FeeLine>, case c: AuditCase?, into findings: inout [Finding]) throws {
    var perVisit: [String: [FeeLine]] = [:]
    for l in lines {
      guard let p = points[l.medListCodg] else { continue }
      if p.perAdmission {
        perVisit[l.medListCodg, default: []].append(l)
      } else {
        try held.append(key: FeeRuleSupport.person(l, c) + "\u{1F}" + l.medListCodg, HeldLine(line: l, c: c))
      }
    }
    for code in perVisit.keys.sorted() { emit(perVisit[code]!, c, into: &findings) }
  }

  private func emit(_ lines: [FeeLine], _ c: (any CaseKeyed)?, into findings: inout [Finding]) {
    guard let p = points[lines[0].medListCodg] else { return }
    let excess = CourseRule.excessDays(lines.map(\.day), maxDays: p.maxDays, spanFromFirstUse: p.spanFromFirstUse)
    guard !excess.isEmpty else { return }
    let charged = lines.filter { excess.contains($0.day) }.sorted(by: FeeRuleSupport.latestFirst)
    let detail = charged.map {
      FindingDetail(feedetlSN: $0.feedetlSN, cnt: $0.cnt, volaAmt: min($0.exposure, FeeLine.fen($0.cnt, $0.pric)))
    }
    let used = Set(lines.map(\.day)).count
    let how = p.spanFromFirstUse ? "自首次使用起超过\(p.maxDays)天" : "使用\(used)天，超过限定\(p.maxDays)天"
    let scope = p.perAdmission ? "单次住院" : ""
    findings.append(
      FeeRuleSupport.linesFinding(
        spec, detail, lines: charged, cases: [c],
        cont: "「\(p.point.name)」(\(p.point.code))\(scope)\(how)，超出\(excess.count)天",
        evid: FeeRuleSupport.evidence(p.point, "\(scope)支付不超过\(p.maxDays)天"), point: p.point))
  }

  func finish(into findings: inout [Finding]) throws {
    try held.forEachGroup(into: &findings) { records, findings in
      let group = records.map(\.held)
      emit(group.map(\.line), group.max { FeeRuleSupport.latestFirst($1.line, $0.line) }?.c, into: &findings)
    }
  }
}

extension DayFrequencyRule: PersonStateRule { var personSpills: [PersonSpill] { [held] } }
extension RollingFrequencyRule: PersonStateRule { var personSpills: [PersonSpill] { [held] } }
extension CourseRule: PersonStateRule { var personSpills: [PersonSpill] { [held] } }
