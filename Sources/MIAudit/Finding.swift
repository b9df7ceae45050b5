import MICore

/// How a rule prices a finding (AUDIT.md §2.3): only the offending quantity, the whole line's E, or no amount.
public enum AmountMode: String, Sendable {
  case excess, line, none
}

/// One fee line charged by a finding, mirroring the platform's judge_result_detail_dtos (AUDIT.md §2.1).
public struct FindingDetail: Sendable, Equatable {
  public var feedetlSN: String
  public var cnt: Fixed
  /// Fen.
  public var volaAmt: Int64

  /// Creates a detail.
  public init(feedetlSN: String, cnt: Fixed, volaAmt: Int64) {
    self.feedetlSN = feedetlSN
    self.cnt = cnt
    self.volaAmt = volaAmt
  }
}

/// One finding (AUDIT.md §2.2): what was found, the amount at risk and the keys of the records it concerns.
public struct Finding: Sendable {
  /// The rule's position in the rule set (output order).
  public var ruleIndex: Int
  public var ruleID: String, ruleName: String, gzCode: String?, kpID: String?
  /// 违规内容: one readable Chinese sentence with the facts (codes, counts, limits).
  public var volaCont: String
  /// Fen; 0 when amtMode == .none.
  public var volaAmt: Int64
  public var amtMode: AmountMode
  /// "明确违规" | "可疑".
  public var sevDeg: String
  /// 依据: the knowledge point, policy text or parameter.
  public var volaEvid: String
  public var setlID, mdtrtID, feedetlSN, fixmedinsCode, psnNo, bilgDrCodg, insutype: String?
  /// yyyy-MM-dd: fee_ocur_time's day for line findings, setl_time's (else dscg) for case findings, the period
  /// end for provider findings.
  public var occurDate: String?
  /// Indicator rules: decimal texts.
  public var metric: String?, threshold: String?
  /// "hospital" for B01.
  public var bearer: String?
  /// Lines charged, latest first; Σ detail.volaAmt == volaAmt.
  public var detail: [FindingDetail]
  /// Primary key for ordering and the manifest: feedetl_sn ?? setl_id ?? psn_no ?? fixmedins_code.
  public var key: String
  /// Input order of the triggering record (fee line seq, or case seq).
  public var seq: Int

  /// A finding of `rule` with its text and amount; keys are set by the caller (or by `init(rule:line:…)`).
  public init(
    rule: RuleSpec, volaCont: String, volaAmt: Int64, volaEvid: String, key: String, seq: Int,
    kpID: String? = nil, gzCode: String? = nil
  ) {
    self.ruleIndex = rule.index
    self.ruleID = rule.id
    self.ruleName = rule.name
    self.gzCode = rule.gzCode ?? gzCode
    self.kpID = kpID
    self.volaCont = volaCont
    self.amtMode = rule.amtMode
    self.volaAmt = rule.amtMode == .none ? 0 : volaAmt
    self.sevDeg = rule.sevDeg
    self.volaEvid = volaEvid
    self.detail = []
    self.key = key
    self.seq = seq
  }

  /// Output order (audit-spec "Output order"): rule, key, input order.
  public static func ordered(_ a: Finding, _ b: Finding) -> Bool {
    if a.ruleIndex != b.ruleIndex { return a.ruleIndex < b.ruleIndex }
    if a.key != b.key { return a.key.utf8.lexicographicallyPrecedes(b.key.utf8) }
    return a.seq < b.seq
  }
}
