import MICore

/// `mi-audit summary`: findings totalled by rule, institution, doctor and month, exact to the fen (issue 14 item 6).
/// Memory follows the groups, not the findings.
public struct FindingSummary {
  /// A dimension of `--by`.
  public enum Dimension: String, CaseIterable, Sendable {
    /// `rule_id` (with the first `rule_name` read).
    case rule
    /// `fixmedins_code`.
    case fixmedinsCode = "fixmedins_code"
    /// `bilg_dr_codg` (else `chfpdr_code`: the doctor the finding is charged to).
    case bilgDrCodg = "bilg_dr_codg"
    /// The month of `occur_date`.
    case month

    /// Parses `--by rule,month`; an unknown or repeated name is an error naming the known ones.
    public static func parse(_ text: String) -> Result<[Dimension], MIError> {
      var out: [Dimension] = []
      for part in text.split(separator: ",", omittingEmptySubsequences: false) {
        guard let d = Dimension(rawValue: String(part)) else {
          let known = allCases.map(\.rawValue).joined(separator: ", ")
          return .failure(.usage("--by: unknown dimension '\(part)' (known: \(known))"))
        }
        if out.contains(d) { return .failure(.usage("--by: '\(part)' is named twice")) }
        out.append(d)
      }
      return .success(out)
    }
  }

  /// The totals of one group: all findings, and apart those certain (明确违规) and those to review (可疑).
  public struct Totals: Sendable, Equatable {
    /// Findings.
    public var findings = 0
    /// Σ vola_amt, fen.
    public var volaAmt: Int64 = 0
    /// 明确违规 findings and their amount.
    public var explicitCnt = 0, explicitAmt: Int64 = 0
    /// 可疑 findings and their amount.
    public var suspectCnt = 0, suspectAmt: Int64 = 0

    /// Adds one finding.
    mutating func add(_ f: FindingRecord) {
      findings += 1
      volaAmt += f.volaAmt
      if f.sevDeg == FindingRecord.explicit {
        explicitCnt += 1
        explicitAmt += f.volaAmt
      } else {
        suspectCnt += 1
        suspectAmt += f.volaAmt
      }
    }
  }

  /// The dimensions, in the order given.
  public let dimensions: [Dimension]
  /// The totals per group: one value per dimension (nil when the finding has none: its own group, sorted first).
  public private(set) var groups: [[String?]: Totals] = [:]
  /// The grand total.
  public private(set) var total = Totals()
  /// The first `rule_name` read for each rule.
  private var ruleNames: [String: String] = [:]

  /// Starts an empty summary.
  public init(by dimensions: [Dimension]) { self.dimensions = dimensions }

  /// Adds one finding.
  public mutating func add(_ f: FindingRecord) {
    let key: [String?] = dimensions.map { d in
      switch d {
      case .rule: return f.ruleID
      case .fixmedinsCode: return f.fixmedinsCode
      case .bilgDrCodg: return f.doctor
      case .month: return f.month
      }
    }
    groups[key, default: Totals()].add(f)
    total.add(f)
    if ruleNames[f.ruleID] == nil, let n = f.ruleName { ruleNames[f.ruleID] = n }
  }

  /// The groups in sorted order (each dimension's values compared as text, absent first).
  public var sortedKeys: [[String?]] {
    groups.keys.sorted { a, b in
      for (x, y) in zip(a, b) where x != y {
        guard let x else { return true }
        guard let y else { return false }
        return x < y
      }
      return false
    }
  }

  /// Writes one kind "audit_summary" record per group in sorted order, then the total (`"by":"total"`); returns
  /// the number of records.
  public func write(into out: inout [UInt8]) -> Int {
    let by = dimensions.map(\.rawValue).joined(separator: ",")
    for key in sortedKeys {
      var w = JSONWriter()
      w.begin(&out)
      w.string("kind", "audit_summary", &out)
      w.string("by", by, &out)
      for (d, v) in zip(dimensions, key) {
        switch d {
        case .rule:
          w.stringUnlessNil("rule_id", v, &out)
          w.stringUnlessNil("rule_name", v.flatMap { ruleNames[$0] }, &out)
        case .fixmedinsCode: w.stringUnlessNil("fixmedins_code", v, &out)
        case .bilgDrCodg: w.stringUnlessNil("bilg_dr_codg", v, &out)
        case .month: w.stringUnlessNil("month", v, &out)
        }
      }
      FindingSummary.writeTotals(groups[key]!, &w, &out)
      w.end(&out)
    }
    var w = JSONWriter()
    w.begin(&out)
    w.string("kind", "audit_summary", &out)
    w.string("by", "total", &out)
    FindingSummary.writeTotals(total, &w, &out)
    w.end(&out)
    return groups.count + 1
  }

  /// The count and amount members of a record.
  private static func writeTotals(_ t: Totals, _ w: inout JSONWriter, _ out: inout [UInt8]) {
    w.int("finding_cnt", Int64(t.findings), &out)
    w.fen("vola_amt", t.volaAmt, &out)
    w.int("explicit_cnt", Int64(t.explicitCnt), &out)
    w.fen("explicit_amt", t.explicitAmt, &out)
    w.int("suspect_cnt", Int64(t.suspectCnt), &out)
    w.fen("suspect_amt", t.suspectAmt, &out)
  }
}
