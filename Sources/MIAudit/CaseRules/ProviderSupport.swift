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
  init(
    _ cases: [AuditCase], initial: T, include: (borrowing AuditCase) -> Bool,
    add: (inout T, borrowing AuditCase) -> Void
  ) {
    // Through the buffer, not `for c in cases` nor `cases[i]`: those copy the case (a dozen reference-counted
    // fields) for every call of the closures, which was a third of these rules' time on 1,000,000 cases.
    cases.withUnsafeBufferPointer { buf in
      for i in buf.indices where include(buf[i]) {
        guard let code = buf[i].fixmedinsCode else { continue }
        let d = buf[i].settledDay
        entries[code, default: Entry(value: initial, seq: buf[i].seq, endDay: nil)].update {
          add(&$0.value, buf[i])
          if let d, $0.endDay.map({ d > $0 }) ?? true { $0.endDay = d }
        }
        if entries.count > codes.count { codes.append(code) }
      }
    }
  }
}

extension Institutions.Entry {
  /// Applies `body` to the entry in place (one dictionary lookup per case with `entries[code, default:]`).
  mutating func update(_ body: (inout Self) -> Void) { body(&self) }
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
