import MICore

/// What grouping one case gave.
public struct DIPResult: Sendable, Equatable {
  /// `grouped`, `ungroupable` or `invalid` (DESIGN.md §2).
  public var status: String
  /// The group, when grouped.
  public var group: DIPGroup?
  /// Which rule matched, or why no group did.
  public var reason: String
  /// The auxiliary entry that applies (core and basic groups only).
  public var aux: DIPAux?
  /// The steps taken, for `--explain`.
  public var trace: [String]
  /// The group's index in the catalog's `groups`, when grouped.
  public var groupIndex: Int? = nil
  /// The matching step, when grouped.
  public var step: DIPMatchStep? = nil
  /// Whether a code's letter case or surrounding spaces were normalised before grouping (issue 12 item 7).
  public var normalized = false
}

/// The matching step that placed a case (DOMAIN.md §1.3 "Matching a case", DIP3 pp.44–47).
public enum DIPMatchStep: String, Sendable, CaseIterable {
  /// 主诊断 + 主操作 + exactly the case's related operations.
  case full = "full match"
  /// Among groups of 主诊断 + 主操作, the one with the most matched related operations.
  case mostRelated = "most related operations"
  /// The 主诊断 + 主操作 group without related operations.
  case principal = "diagnosis + principal operation"
  /// The 保守治疗 group of the 亚目 (a case without operations).
  case conservative = "conservative"
  /// The comprehensive group of the 类目 by the principal operation's class.
  case comprehensive = "comprehensive"
}

/// Groups cases into a DIP catalog.
///
/// The catalog is indexed once: core alternatives by 亚目, comprehensive groups by 类目 and class. Per case the work
/// is a few dictionary lookups; nothing is allocated beyond small strings (≤ 15 bytes are stored inline).
public final class DIPGrouper {
  /// One core alternative: the group and the operations it asks for.
  struct CoreAlt {
    var group: Int
    var principal: String?
    var related: [String]
  }

  /// The catalog.
  public let catalog: DIPCatalog
  private var core: [String: [CoreAlt]] = [:]
  private var comprehensive: [String: Int] = [:]
  private var auxByGroup: [Int: [Int]] = [:]
  private var auxAll: [Int] = []

  /// Indexes `catalog`.
  public init(catalog: DIPCatalog) {
    self.catalog = catalog
    // The catalog's codes are indexed as cases' codes are read (DIPCodes.normalize), so a catalog written with
    // `47.0100X001` or `I10.X` still matches.
    func op(_ c: String) -> String { DIPCodes.normalizedOperation(c) ?? c }
    for (i, g) in catalog.groups.enumerated() {
      switch g.kind {
      case .core, .basic:
        let key = DIPCodes.normalizedDiagnosis(g.dxKey) ?? g.dxKey
        if g.expression.alternatives.isEmpty {
          core[key, default: []].append(CoreAlt(group: i, principal: nil, related: []))
        }
        for a in g.expression.alternatives {
          core[key, default: []].append(CoreAlt(group: i, principal: op(a.principal), related: a.related.map(op)))
        }
      case .comprehensive:
        let cat = DIPCodes.normalizedDiagnosis(g.dxKey) ?? g.dxKey
        if let c = g.opClass { comprehensive[cat + "|" + c.letter] = i }
      }
    }
    let index = Dictionary(uniqueKeysWithValues: catalog.groups.enumerated().map { ($1.code, $0) })
    for (ai, a) in catalog.aux.enumerated() {
      if a.groups.isEmpty { auxAll.append(ai) }
      for g in a.groups { if let gi = index[g] { auxByGroup[gi, default: []].append(ai) } }
    }
  }

  /// The facts of a case that auxiliary entries look at.
  public struct CaseFacts: Sendable {
    /// Age in days (`nwb_age`, else `age` × 365).
    public var ageDays: Int64?
    /// `icu_days`.
    public var icuDays: Int64?
    /// `cci`.
    public var cci: Int64?
    /// `act_ipt_days`.
    public var los: Int64?
    /// `dscg_way`.
    public var dischargeWay: String?

    /// Creates facts.
    public init(
      ageDays: Int64? = nil, icuDays: Int64? = nil, cci: Int64? = nil, los: Int64? = nil, dischargeWay: String? = nil
    ) {
      self.ageDays = ageDays
      self.icuDays = icuDays
      self.cci = cci
      self.los = los
      self.dischargeWay = dischargeWay
    }
  }

  /// Groups one case: `dx` = `diag_codes` (principal first), `ops` = `oprn_codes` (principal first).
  ///
  /// Codes are first normalised as `mi-score derive` reads them (`DIPCodes.normalize`): letter case and
  /// surrounding spaces, and an empty operation code is no operation. A principal diagnosis that is still not
  /// an ICD-10 code after that makes the case `invalid`.
  ///
  /// Ties inside a step (two groups equally good) go to the higher 分值, then the lower code: a local rule
  /// (DIP3 leaves ties to the pool), documented in mi-group(1).
  public func group(dx: [String], ops: [String], facts: CaseFacts = CaseFacts(), explain: Bool = false) -> DIPResult {
    var dx = dx
    var ops = ops
    let normalized = DIPCodes.normalize(dx: &dx, ops: &ops)
    var r = groupNormalized(dx: dx, ops: ops, facts: facts, explain: explain)
    r.normalized = normalized
    return r
  }

  private func groupNormalized(dx: [String], ops: [String], facts: CaseFacts, explain: Bool) -> DIPResult {
    var trace: [String] = []
    guard let principalDx = dx.first, !principalDx.isEmpty else {
      return DIPResult(
        status: "invalid", group: nil, reason: "no principal diagnosis (diag_codes is empty)", aux: nil, trace: [])
    }
    guard DIPCodes.isDiagnosisCode(principalDx), let cat = DIPCodes.category(principalDx) else {
      return DIPResult(
        status: "invalid", group: nil, reason: "principal diagnosis '\(principalDx)' is not an ICD-10 code", aux: nil,
        trace: [])
    }
    let sub = DIPCodes.subcategory(principalDx)
    if explain { trace.append("principal diagnosis \(principalDx): 亚目 \(sub ?? "-"), 类目 \(cat)") }
    let alts = sub.flatMap { core[$0] } ?? []
    if explain { trace.append("core alternatives for \(sub ?? "-"): \(alts.count)") }
    if let (gi, step) = matchCore(alts, ops: ops, trace: &trace, explain: explain) {
      let g = catalog.groups[gi]
      let aux = auxFor(gi, dx: dx, facts: facts, trace: &trace, explain: explain)
      return DIPResult(
        status: "grouped", group: g, reason: step.rawValue, aux: aux, trace: trace, groupIndex: gi, step: step)
    }
    let opClass: OperationClass
    if let p = ops.first {
      opClass = catalog.procClasses.classOf(p) ?? .medical
      if explain { trace.append("principal operation \(p): class \(opClass.rawValue)") }
    } else {
      opClass = .medical
    }
    if let gi = comprehensive[cat + "|" + opClass.letter] {
      let g = catalog.groups[gi]
      if explain { trace.append("comprehensive \(g.code) (\(cat) × \(opClass.rawValue)组)") }
      return DIPResult(
        status: "grouped", group: g, reason: "\(DIPMatchStep.comprehensive.rawValue) \(opClass.rawValue)组", aux: nil,
        trace: trace, groupIndex: gi, step: .comprehensive)
    }
    let what = ops.first.map { "operation \($0)" } ?? "no operation"
    let reason =
      "no core group for \(sub ?? principalDx) with \(what), and no comprehensive group \(cat) × \(opClass.rawValue)组"
    if explain { trace.append(reason) }
    return DIPResult(status: "ungroupable", group: nil, reason: reason, aux: nil, trace: trace)
  }

  /// Better of two alternatives inside one step: higher score, then lower code.
  private func better(_ a: Int, than b: Int) -> Bool {
    let ga = catalog.groups[a]
    let gb = catalog.groups[b]
    return ga.score != gb.score ? ga.score > gb.score : ga.code < gb.code
  }

  private func matchCore(_ alts: [CoreAlt], ops: [String], trace: inout [String], explain: Bool) -> (Int, DIPMatchStep)?
  {
    if alts.isEmpty { return nil }
    guard let p = ops.first else {
      var best: Int?
      for a in alts where a.principal == nil { if best == nil || better(a.group, than: best!) { best = a.group } }
      if explain, let best { trace.append("no operation: 保守治疗 group \(catalog.groups[best].code)") }
      return best.map { ($0, .conservative) }
    }
    // Related operations of the case: the others, without repeats of the principal.
    var rest: [String] = []
    for o in ops.dropFirst() where o != p && !rest.contains(o) { rest.append(o) }
    var full: Int?
    var most: (group: Int, count: Int)?
    var plain: Int?
    for a in alts where a.principal == p {
      if a.related.isEmpty {
        if plain == nil || better(a.group, than: plain!) { plain = a.group }
        continue
      }
      guard a.related.allSatisfy({ rest.contains($0) }) else { continue }
      if a.related.count == rest.count {
        if full == nil || better(a.group, than: full!) { full = a.group }
      }
      if let m = most {
        if a.related.count > m.count || (a.related.count == m.count && better(a.group, than: m.group)) {
          most = (a.group, a.related.count)
        }
      } else {
        most = (a.group, a.related.count)
      }
    }
    if let full {
      if explain { trace.append("full match \(catalog.groups[full].code)") }
      return (full, .full)
    }
    if let most {
      if explain { trace.append("most related operations (\(most.count)): \(catalog.groups[most.group].code)") }
      return (most.group, .mostRelated)
    }
    if let plain {
      if explain { trace.append("diagnosis + principal operation \(p): \(catalog.groups[plain].code)") }
      return (plain, .principal)
    }
    if explain { trace.append("no core group with principal operation \(p)") }
    return nil
  }

  private func auxFor(_ gi: Int, dx: [String], facts: CaseFacts, trace: inout [String], explain: Bool) -> DIPAux? {
    if catalog.aux.isEmpty { return nil }
    var best: DIPAux?
    for ai in (auxByGroup[gi] ?? []) + auxAll {
      let a = catalog.aux[ai]
      guard DIPGrouper.applies(a, dx: dx, facts: facts) else { continue }
      if explain { trace.append("auxiliary \(a.code) (\(a.type)) applies, coef \(Fixed(raw: a.coef, scale: 4))") }
      if let b = best, b.coef > a.coef || (b.coef == a.coef && b.code < a.code) { continue }
      best = a
    }
    return best
  }

  /// The facts auxiliary entries look at, from a case record: `nwb_age` (days) else `age` × 365, `icu_days`,
  /// `cci`, `act_ipt_days`, `dscg_way`.
  public static func facts(_ s: RecordScanner) throws(FieldError) -> CaseFacts {
    var f = CaseFacts()
    f.ageDays = try s.int("nwb_age")
    if f.ageDays == nil, let years = try s.int("age") { f.ageDays = years * 365 }
    f.icuDays = try s.int("icu_days")
    f.cci = try s.int("cci")
    f.los = try s.int("act_ipt_days")
    f.dischargeWay = try s.code("dscg_way")
    return f
  }

  /// Whether every condition of `a` holds for the case.
  public static func applies(_ a: DIPAux, dx: [String], facts: CaseFacts) -> Bool {
    func within(_ v: Int64?, _ lo: Int64?, _ hi: Int64?) -> Bool {
      if lo == nil && hi == nil { return true }
      guard let v else { return false }
      return (lo.map { v >= $0 } ?? true) && (hi.map { v <= $0 } ?? true)
    }
    guard within(facts.ageDays, a.minAgeDays, a.maxAgeDays), within(facts.icuDays, a.minICUDays, a.maxICUDays),
      within(facts.cci, a.minCCI, a.maxCCI)
    else { return false }
    if let m = a.minLOS { guard let los = facts.los, los >= m else { return false } }
    if !a.dischargeWays.isEmpty { guard let w = facts.dischargeWay, a.dischargeWays.contains(w) else { return false } }
    if !a.secondaryDx.isEmpty {
      guard dx.dropFirst().contains(where: { d in a.secondaryDx.contains { d.hasPrefix($0) } }) else { return false }
    }
    return true
  }
}
