import MICore

/// Per-institution totals over one period's cases, in first-appearance order of the institutions.
///
/// Provider rules (AUDIT.md §2.4 "provider" scope) hold one small accumulator per institution: memory grows with
/// institutions, not with cases or fee lines.
struct Institutions<T> {
  /// One institution's accumulator and where its findings are dated and ordered.
  struct Entry {
    var value: T
    /// The input order of the institution's first case (the finding's `seq`).
    var seq: Int
    /// The latest settlement (else discharge) day of its cases: the period end a provider finding is dated by.
    var endDay: Int?
  }

  /// Institution codes in order of their first case.
  var codes: [String] = []
  var entries: [String: Entry] = [:]

  /// Adds up the cases `include` keeps, per `fixmedins_code` (cases without one are left out).
  init(_ cases: [AuditCase], initial: T, include: (AuditCase) -> Bool, add: (inout T, AuditCase) -> Void) {
    for c in cases where include(c) {
      guard let code = c.fixmedinsCode else { continue }
      if entries[code] == nil {
        codes.append(code)
        entries[code] = Entry(value: initial, seq: c.seq, endDay: nil)
      }
      add(&entries[code]!.value, c)
      if let d = c.settledDay, entries[code]!.endDay.map({ d > $0 }) ?? true { entries[code]!.endDay = d }
    }
  }
}

extension Finding {
  /// A finding about an institution over the period: keyed by `fixmedins_code`, dated by the period end, with an
  /// indicator's metric and threshold; amount as the caller sets it.
  init<T>(
    rule: RuleSpec, institution code: String, _ entry: Institutions<T>.Entry, volaCont: String, volaEvid: String,
    metric: Fixed?, threshold: Fixed?
  ) {
    self.init(rule: rule, volaCont: volaCont, volaAmt: 0, volaEvid: volaEvid, key: code, seq: entry.seq)
    fixmedinsCode = code
    occurDate = entry.endDay.map(CaseDay.date)
    self.metric = metric?.description
    self.threshold = threshold?.description
  }
}

/// Which cases a provider indicator counts.
enum CaseScope: String {
  case inpatient, outpatient, all

  /// Reads the rule's `scope` key.
  static func read(_ spec: RuleSpec, default def: CaseScope) throws(MIError) -> CaseScope {
    CaseScope(rawValue: try spec.choice("scope", ["inpatient", "outpatient", "all"], default: def.rawValue))!
  }

  /// Whether the scope counts `c`.
  func includes(_ c: AuditCase) -> Bool {
    switch self {
    case .inpatient: return c.isInpatient
    case .outpatient: return !c.isInpatient
    case .all: return true
    }
  }

  /// The scope's name in a sentence.
  var label: String {
    switch self {
    case .inpatient: return "住院"
    case .outpatient: return "门诊"
    case .all: return ""
    }
  }
}
