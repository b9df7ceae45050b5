import MICore

/// An inpatient stay as the person rules see it: the case's index and its admission and discharge days.
struct Stay {
  /// Index in the case table.
  var index: Int
  var adm: Int
  var dscg: Int
  /// The order of stays: admission time, discharge time, input order (kept here so that sorting never copies
  /// a case).
  var order: (Int64, Int64, Int) = (0, 0, 0)

  /// The inpatient cases of `indices` that carry both dates, ordered by admission time, then discharge time,
  /// then input order (a stay without dates cannot be placed and is left out).
  static func of(_ indices: [Int], in cases: [AuditCase]) -> [Stay] {
    var out: [Stay] = []
    for i in indices where cases[i].isInpatient {
      guard let at = cases[i].admTime, let dt = cases[i].dscgTime else { continue }
      out.append(
        Stay(
          index: i, adm: CaseDay.of(at)!, dscg: CaseDay.of(dt)!, order: (at, dt, cases[i].seq)))
    }
    if out.count > 1 { out.sort { $0.order < $1.order } }
    return out
  }
}

/// D02 住院期间门诊结算 (outpatient-during-stay, AUDIT.md §3 D02): an outpatient or pharmacy settlement of a
/// person whose day lies strictly between the admission day and the discharge day of one of the person's
/// inpatient stays, at any institution (the days of admission and discharge are left out: a visit that morning
/// or a discharge prescription is normal). Amount: the outpatient case's fund amount (`amount`, default fund).
///
/// State: the case table's index of persons (one array of indices per person); nothing per fee line.
final class OutpatientDuringStay: CaseRule {
  let spec: RuleSpec
  let amount: CaseAmount
  /// Outpatient `med_type` prefixes never flagged (AUDIT.md D02 "whitelist [U]"), e.g. dialysis sessions the
  /// stay's hospital cannot give.
  let exemptMedTypes: [String]

  init(_ spec: RuleSpec, _ context: RuleContext) throws(MIError) {
    self.spec = spec
    amount = try CaseAmount.read(spec, default: .fund)
    exemptMedTypes = try spec.strings("exempt_med_types", default: [])
  }

  func run(_ table: CaseTable, into findings: inout [Finding]) throws {
    let cases = table.cases
    for indices in table.byPerson.values {
      let stays = Stay.of(indices, in: cases)
      if stays.isEmpty { continue }
      for i in indices where !cases[i].isInpatient {
        guard let day = cases[i].visitDay, let s = Self.enclosing(stays, day: day) else { continue }
        let c = cases[i]
        if let t = c.medType, exemptMedTypes.contains(where: { t.hasPrefix($0) }) { continue }
        let stay = cases[s.index]
        let cont =
          "门诊结算\(c.setlID)于\(CaseDay.date(day))发生在住院\(stay.setlID)期间（\(CaseDay.date(s.adm))入院，"
          + "\(CaseDay.date(s.dscg))出院，机构\(stay.fixmedinsCode ?? "未知")）"
        var f = Finding(
          rule: spec, case: c, volaCont: cont, volaAmt: 0,
          volaEvid: "AUDIT.md D02：住院期间（入院日与出院日之间）不应另行门诊或购药结算"
            + (amount == .none ? "" : "；金额为该门诊结算的\(amount.label)"))
        f.charge(amount, of: c)
        findings.append(f)
      }
    }
  }

  /// The first stay (in admission order) whose admission day < `day` < discharge day.
  static func enclosing(_ stays: [Stay], day: Int) -> Stay? {
    stays.first { $0.adm < day && day < $0.dscg }
  }
}

/// D03 住院时间冲突 (overlapping-stays, AUDIT.md §3 D03): two inpatient stays of one person that share at least
/// `min_nights` nights (default 1; a stay holds the nights from its admission day up to its discharge day, so a
/// discharge and an admission on the same day share none). The later stay (by admission time) is flagged, once,
/// citing the earlier stay it overlaps most. Amount: its fund amount (`amount`, default fund).
///
/// State: the persons' index of cases.
final class OverlappingStays: CaseRule {
  let spec: RuleSpec
  let amount: CaseAmount
  let minNights: Int

  init(_ spec: RuleSpec, _ context: RuleContext) throws(MIError) {
    self.spec = spec
    amount = try CaseAmount.read(spec, default: .fund)
    minNights = try spec.int("min_nights", default: 1)
    guard minNights >= 1 else { throw spec.invalid("min_nights", "expected at least 1, found \(minNights)") }
  }

  func run(_ table: CaseTable, into findings: inout [Finding]) throws {
    let cases = table.cases
    for indices in table.byPerson.values {
      for (later, earlier, nights) in Self.overlaps(Stay.of(indices, in: cases), minNights: minNights) {
        let c = cases[later.index]
        let e = cases[earlier.index]
        let cont =
          "住院\(c.setlID)（\(CaseDay.date(later.adm))至\(CaseDay.date(later.dscg))）与同一人员的住院\(e.setlID)"
          + "（\(CaseDay.date(earlier.adm))至\(CaseDay.date(earlier.dscg))，机构\(e.fixmedinsCode ?? "未知")）重叠\(nights)晚"
        var f = Finding(
          rule: spec, case: c, volaCont: cont, volaAmt: 0,
          volaEvid: "AUDIT.md D03：同一人员两次住院时间重叠不少于\(minNights)晚")
        f.charge(amount, of: c)
        findings.append(f)
      }
    }
  }

  /// The overlapping pairs of a person's stays in admission order: each later stay once, with the earlier stay
  /// that reaches furthest (the one it shares most nights with) and the nights shared, `min(dscg) − later.adm`.
  static func overlaps(_ stays: [Stay], minNights: Int) -> [(Stay, Stay, Int)] {
    var out: [(Stay, Stay, Int)] = []
    var reach: Stay? = nil
    for s in stays {
      if let r = reach {
        let nights = min(r.dscg, s.dscg) - s.adm
        if nights >= minNights { out.append((s, r, nights)) }
      }
      if reach == nil || s.dscg > reach!.dscg { reach = s }
    }
    return out
  }
}

/// D05 分解住院 (readmission, AUDIT.md §3 D05): a person's inpatient admission at the institution where the
/// person's previous stay ended at most `window_days` (default 15 [S]) days before: admission day − previous
/// discharge day in 0…window_days (a negative gap is an overlap, D03's). A readmission whose principal diagnosis
/// starts with one of `exclude_dx` (default Z51, planned radiotherapy/chemotherapy) is planned care and left out;
/// with `same_group = true` both stays must carry the same `group_code`. Amount: none by default (a lead), or the
/// readmission's fund amount (`amount = "fund"`).
///
/// State: the cases' index by person, and per person its stays by institution.
final class Readmission: CaseRule {
  let spec: RuleSpec
  let amount: CaseAmount
  let windowDays: Int
  let excludeDx: [String]
  let sameGroup: Bool

  init(_ spec: RuleSpec, _ context: RuleContext) throws(MIError) {
    self.spec = spec
    amount = try CaseAmount.read(spec, default: .none)
    windowDays = try spec.int("window_days", default: 15)
    guard windowDays >= 0 else { throw spec.invalid("window_days", "expected 0 or more, found \(windowDays)") }
    excludeDx = try spec.strings("exclude_dx", default: ["Z51"])
    sameGroup = try spec.bool("same_group", default: false)
  }

  /// A person's candidate readmissions: each stay (in admission order) with the stay at the same institution
  /// that was discharged last before it, when the admission day is not before that discharge day (an earlier
  /// admission is an overlap, D03's).
  static func readmissions(_ stays: [Stay], cases: [AuditCase], windowDays: Int) -> [(Stay, Stay)] {
    var out: [(Stay, Stay)] = []
    var last: [String: Stay] = [:]
    for s in stays {
      guard let site = cases[s.index].fixmedinsCode else { continue }
      if let p = last[site], s.adm >= p.dscg, s.adm - p.dscg <= windowDays { out.append((p, s)) }
      if last[site].map({ s.dscg > $0.dscg }) ?? true { last[site] = s }
    }
    return out
  }

  func run(_ table: CaseTable, into findings: inout [Finding]) throws {
    let cases = table.cases
    for indices in table.byPerson.values {
      for (prev, cur) in Self.readmissions(Stay.of(indices, in: cases), cases: cases, windowDays: windowDays) {
        let gap = cur.adm - prev.dscg
        let c = cases[cur.index]
        let p = cases[prev.index]
        if let dx = c.principalDiag, excludeDx.contains(where: { dx.hasPrefix($0) }) { continue }
        if sameGroup && (c.groupCode == nil || c.groupCode != p.groupCode) { continue }
        let cont =
          "同一机构\(c.fixmedinsCode!)出院（\(CaseDay.date(prev.dscg))，结算\(p.setlID)）后\(gap)天再次入院"
          + "（\(CaseDay.date(cur.adm))，结算\(c.setlID)），间隔不超过\(windowDays)天"
          + (sameGroup ? "，同组\(c.groupCode!)" : "")
        var f = Finding(
          rule: spec, case: c, volaCont: cont, volaAmt: 0,
          volaEvid:
            "AUDIT.md D05 分解住院：出院后\(windowDays)天内同一机构再入院"
            + (excludeDx.isEmpty ? "" : "（主诊断\(excludeDx.joined(separator: "、"))开头的计划性住院除外）"))
        f.charge(amount, of: c)
        findings.append(f)
      }
    }
  }
}
