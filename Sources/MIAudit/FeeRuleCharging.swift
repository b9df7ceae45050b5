import MICore

/// B01 price-cap (AUDIT.md §3 B01, seed 003): a price above the line's cap (`pric_uplmt_amt`; 999999 = none).
/// Amount: `max(0, (pric − cap) × cnt − overlmt_amt)`, rounded half-up to the fen once, borne by the hospital.
/// State: none.
final class PriceCapRule: FeeRule {
  let spec: RuleSpec

  init(_ spec: RuleSpec, _ context: RuleContext) throws {
    self.spec = spec
  }

  /// The amount of AUDIT.md §2.3 B01 in fen: the excess over the cap times the quantity, less what the line
  /// already put to the patient as over-cap self-pay (`overlmt_amt`), never below 0.
  static func excess(pric: Fixed, cap: Fixed, cnt: Fixed, overlmt: Int64) -> Int64 {
    let over = (pric - cap).rescaled(to: 4)
    guard over.raw > 0 else { return 0 }
    return max(0, FeeLine.fen(cnt, over) - overlmt)
  }

  func visit(_ lines: ArraySlice<FeeLine>, case c: AuditCase?, into findings: inout [Finding]) throws {
    for l in lines {
      guard let cap = l.pricUplmtAmt, l.pric > cap else { continue }
      let amount = PriceCapRule.excess(pric: l.pric, cap: cap, cnt: l.cnt, overlmt: l.overlmtAmt)
      var f = FeeRuleSupport.lineFinding(
        spec, l, c, amount: amount,
        cont: "「\(l.medListCodg)」单价\(FeeRuleSupport.qty(l.pric))元超过最高限价\(FeeRuleSupport.qty(cap))元，"
          + "数量\(FeeRuleSupport.qty(l.cnt))",
        evid: "超标准收费：单价高于最高限价 pric_uplmt_amt（seed 003：超物价部分由医疗机构承担）")
      f.bearer = "hospital"
      findings.append(f)
    }
  }

  func finish(into findings: inout [Finding]) throws {}
}

/// A main/sub pair of a duplicate-charge rule and its window.
struct DuplicatePair: Sendable {
  var main: String
  var sub: String
  var window: DuplicateWindow
  var point: KnowledgePoint?
  var mainName: String
  var subName: String
  var windowText: String
}

/// B02 kp-duplicate and the local `duplicate-pair` (AUDIT.md §3 B02): the 从项 charged for the same person
/// within the window of its 主项 (same visit, same calendar day, < 6 h, < 1 h apart). The finding is on the sub
/// line, amount its E. State: same-visit pairs none; the other windows keep, per person, the main lines (with
/// their visit) and the sub lines not matched in their own visit until finish(), person-partitioned
/// (`PersonSpill`).
final class DuplicateRule: FeeRule {
  let spec: RuleSpec
  /// By sub code.
  let pairs: [String: [DuplicatePair]]
  let mains: Set<String>
  /// Cross-visit windows only, by person: main lines (tag `mainTag`, aux their visit key) and sub lines (tag
  /// `subTag`, with their case).
  let held = PersonSpill()
  private static let subTag: UInt8 = 0
  private static let mainTag: UInt8 = 1
  private let crossVisit: Bool

  init(_ spec: RuleSpec, pairs list: [DuplicatePair]) {
    self.spec = spec
    var p: [String: [DuplicatePair]] = [:]
    for x in list { p[x.sub, default: []].append(x) }
    pairs = p
    mains = Set(list.map(\.main))
    crossVisit = list.contains { $0.window != .sameVisit }
  }

  /// kp-duplicate: every row of the knowledge table.
  static func knowledge(_ spec: RuleSpec, _ context: RuleContext) throws -> DuplicateRule {
    let k = try context.requireKnowledge(spec)
    var list: [DuplicatePair] = []
    for (_, rows) in k.duplicateBySub {
      for r in rows {
        list.append(
          DuplicatePair(
            main: r.mainCode, sub: r.point.code, window: r.window, point: r.point, mainName: r.mainName,
            subName: r.point.name, windowText: r.sourceWindow))
      }
    }
    return DuplicateRule(spec, pairs: list)
  }

  /// duplicate-pair: `pairs = [["MAIN", "SUB"], …]`, `window` (same-visit, same-day, 6h, 1h).
  static func local(_ spec: RuleSpec, _ context: RuleContext) throws -> DuplicateRule {
    let w = try spec.choice("window", ["same-visit", "same-day", "6h", "1h"], default: "same-day")
    guard case .array(let arr)? = spec.raw("pairs") else {
      throw spec.invalid("pairs", "required: an array of [\"主项编码\", \"从项编码\"] pairs")
    }
    var list: [DuplicatePair] = []
    for e in arr {
      guard case .array(let two) = e, two.count == 2, case .string(let m) = two[0], case .string(let s) = two[1] else {
        throw spec.invalid("pairs", "each pair is [\"主项编码\", \"从项编码\"]")
      }
      list.append(
        DuplicatePair(
          main: m, sub: s, window: DuplicateWindow(rawValue: w)!, point: nil, mainName: m, subName: s, windowText: w))
    }
    return DuplicateRule(spec, pairs: list)
  }

  static func within(_ w: DuplicateWindow, _ a: Int64, _ b: Int64) -> Bool {
    switch w {
    case .sameVisit: return true
    case .sameDay: return AuditTime.day(a) == AuditTime.day(b)
    case .sixHours: return abs(a - b) < 6 * 3600
    case .oneHour: return abs(a - b) < 3600
    }
  }

  func finding(_ l: FeeLine, _ c: (any CaseKeyed)?, _ p: DuplicatePair) -> Finding {
    FeeRuleSupport.lineFinding(
      spec, l, c, amount: l.exposure,
      cont: "「\(p.mainName)」(\(p.main))与其所含「\(p.subName)」(\(p.sub))在\(p.windowText)内重复收费",
      evid: p.point.map { FeeRuleSupport.evidence($0, "主项\(p.main)含从项\(p.sub)，\($0.ruleClass)") }
        ?? "本地规则：主项\(p.main)含从项\(p.sub)（\(p.windowText)）",
      point: p.point)
  }

  func visit(_ lines: ArraySlice<FeeLine>, case c: AuditCase?, into findings: inout [Finding]) throws {
    var visitMains: [String: [Int64]] = [:]
    for l in lines where mains.contains(l.medListCodg) { visitMains[l.medListCodg, default: []].append(l.time) }
    let person = FeeRuleSupport.person(lines[lines.startIndex], c)
    let visitKey = lines[lines.startIndex].setlID ?? lines[lines.startIndex].mdtrtID ?? ""
    for l in lines {
      guard let ps = pairs[l.medListCodg] else { continue }
      // A pair found inside the visit fires now; the cross-visit windows are decided at finish().
      if let p = ps.first(where: { p in
        visitMains[p.main]?.contains { DuplicateRule.within(p.window, $0, l.time) } ?? false
      }) {
        findings.append(finding(l, c, p))
      } else if crossVisit && ps.contains(where: { $0.window != .sameVisit }) {
        try held.append(key: FeeRuleSupport.person(l, c), tag: DuplicateRule.subTag, HeldLine(line: l, c: c))
      }
    }
    if crossVisit {
      for l in lines where mains.contains(l.medListCodg) {
        try held.append(key: person, tag: DuplicateRule.mainTag, aux: visitKey, HeldLine(line: l, c: nil))
      }
    }
  }

  func finish(into findings: inout [Finding]) throws {
    try held.forEachGroup(into: &findings) { records, findings in
      evaluate(records, into: &findings)
    }
  }

  /// One person's main and sub lines: a sub line with a main line of another visit within the window.
  private func evaluate(_ records: [SpillRecord], into findings: inout [Finding]) {
    var byCode: [String: [(Int64, String)]] = [:]
    for r in records where r.tag == DuplicateRule.mainTag {
      byCode[r.held.code, default: []].append((r.held.time, r.aux))
    }
    guard !byCode.isEmpty else { return }
    for r in records where r.tag == DuplicateRule.subTag {
      let l = r.held.line
      let visitKey = l.setlID ?? l.mdtrtID ?? ""
      let hit = pairs[l.medListCodg]?.first { p in
        p.window != .sameVisit
          && (byCode[p.main]?.contains { $0.1 != visitKey && DuplicateRule.within(p.window, $0.0, l.time) }
            ?? false)
      }
      if let hit { findings.append(finding(l, r.held.c, hit)) }
    }
  }
}

/// B04 kp-discount (AUDIT.md §3 B04): two or more operations of one same-incision group in a visit; the main one
/// is the highest price (tie: the earliest line), every other one above `rate` × its reference price (the cap,
/// else its price) is charged the part above, `(pric − rate × ref) × cnt`, at most its E. State: none.
final class DiscountRule: FeeRule {
  let spec: RuleSpec
  let points: [String: [DiscountPoint]]
  let rate: Fixed

  init(_ spec: RuleSpec, _ context: RuleContext) throws {
    self.spec = spec
    points = try context.requireKnowledge(spec).discount
    rate = try spec.fixed("rate", scale: 4, default: Fixed("0.5", scale: 4)!)
  }

  /// The part of a secondary operation's charge above the discounted price, in fen, at most E (AUDIT.md §3 B04).
  static func excess(pric: Fixed, ref: Fixed, rate: Fixed, cnt: Fixed, exposure: Int64) -> Int64 {
    let discounted = ref.multiplied(by: rate, scale: 4)
    let over = (pric - discounted).rescaled(to: 4)
    guard over.raw > 0 else { return 0 }
    return min(exposure, FeeLine.fen(cnt, over))
  }

  func visit(_ lines: ArraySlice<FeeLine>, case c: AuditCase?, into findings: inout [Finding]) throws {
    var groups: [String: [FeeLine]] = [:]
    var pointOf: [String: DiscountPoint] = [:]
    for l in lines {
      guard let ps = points[l.medListCodg] else { continue }
      for p in ps {
        groups[p.groupID, default: []].append(l)
        pointOf[p.groupID + "\u{1F}" + l.medListCodg] = p
      }
    }
    var charged: Set<Int> = []
    for g in groups.keys.sorted() {
      let ls = groups[g]!
      guard Set(ls.map(\.medListCodg)).count >= 2 else { continue }
      let main = ls.min { a, b in a.pric != b.pric ? a.pric > b.pric : a.seq < b.seq }!
      for l in ls where l.seq != main.seq && !charged.contains(l.seq) {
        let ref = l.pricUplmtAmt ?? l.pric
        let amount = DiscountRule.excess(pric: l.pric, ref: ref, rate: rate, cnt: l.cnt, exposure: l.exposure)
        guard amount > 0, let p = pointOf[g + "\u{1F}" + l.medListCodg] else { continue }
        charged.insert(l.seq)
        findings.append(
          FeeRuleSupport.lineFinding(
            spec, l, c, amount: amount,
            cont: "\(p.groupName)同一切口第二及以后手术「\(p.point.name)」(\(l.medListCodg))未按\(rate.rescaled(to: 2))折价收费，"
              + "主手术为\(main.medListCodg)",
            evid: FeeRuleSupport.evidence(p.point, "\(p.groupName)：经同一切口的第二及以后手术按\(rate.rescaled(to: 2))折价"),
            point: p.point))
      }
    }
  }

  func finish(into findings: inout [Finding]) throws {}
}

extension DuplicateRule: PersonStateRule { var personSpills: [PersonSpill] { [held] } }
