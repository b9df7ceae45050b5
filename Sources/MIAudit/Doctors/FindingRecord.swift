import MICore

/// The fields of a finding record (`mi-audit run` output, kind "finding") that the doctor points and the summary
/// read back: they work from the NDJSON findings, not from the engine, so a reviewed or filtered findings file
/// (`jq`, a spreadsheet round trip through `mi-conv`) feeds them as well.
public struct FindingRecord: Sendable, Equatable {
  /// `rule_id`.
  public var ruleID: String
  /// `rule_name`, when present.
  public var ruleName: String?
  /// `sev_deg`: "明确违规" or "可疑".
  public var sevDeg: String
  /// `amt_mode`: excess, line or none (absent reads as none).
  public var amtMode: String
  /// `vola_amt` in fen (absent reads as 0).
  public var volaAmt: Int64
  /// The keys of the record concerned.
  public var setlID: String?, feedetlSN: String?, fixmedinsCode: String?, psnNo: String?
  /// `bilg_dr_codg`, and `chfpdr_code` when a finding carries it (the case's 主诊医师).
  public var bilgDrCodg: String?, chfpdrCode: String?
  /// `insutype` (the clearing pool of a deduction).
  public var insutype: String?
  /// `occur_date` (yyyy-MM-dd), checked against the calendar.
  public var occurDate: String?
  /// `key` when the record carries it, else the finding's primary key as the audit spec defines it:
  /// `feedetl_sn` ?? `setl_id` ?? `psn_no` ?? `fixmedins_code`.
  public var key: String

  /// The severity of a finding that is certain (list-exact rules, AUDIT.md §2.3).
  public static let explicit = "明确违规"
  /// The severity of a finding that needs review.
  public static let suspect = "可疑"

  /// Creates a record (tests).
  public init(
    ruleID: String, ruleName: String? = nil, sevDeg: String = FindingRecord.explicit, amtMode: String = "line",
    volaAmt: Int64 = 0, setlID: String? = nil, feedetlSN: String? = nil, fixmedinsCode: String? = nil,
    psnNo: String? = nil, bilgDrCodg: String? = nil, chfpdrCode: String? = nil, insutype: String? = nil,
    occurDate: String? = nil, key: String? = nil
  ) {
    (self.ruleID, self.ruleName, self.sevDeg, self.amtMode, self.volaAmt) = (ruleID, ruleName, sevDeg, amtMode, volaAmt)
    (self.setlID, self.feedetlSN, self.fixmedinsCode, self.psnNo) = (setlID, feedetlSN, fixmedinsCode, psnNo)
    (self.bilgDrCodg, self.chfpdrCode, self.insutype, self.occurDate) = (bilgDrCodg, chfpdrCode, insutype, occurDate)
    self.key = key ?? feedetlSN ?? setlID ?? psnNo ?? fixmedinsCode ?? ""
  }

  /// The doctor the finding is charged to: the billing doctor of the line, else the case's 主诊医师 (AUDIT.md §3
  /// G02: "confirmed findings with `bilg_dr_codg`/`chfpdr_code`").
  public var doctor: String? { bilgDrCodg ?? chfpdrCode }

  /// The month `yyyy-MM` of `occur_date`.
  public var month: String? { occurDate.map { String($0.prefix(7)) } }

  /// Reads the finding in `s`; a record of another kind, or a finding without `rule_id`, `sev_deg` or any key, is
  /// a `FieldError` (the caller names file and line).
  public static func read(_ s: RecordScanner) throws(FieldError) -> FindingRecord {
    let kind = try s.string("kind")
    guard kind == "finding" else {
      throw FieldError(
        "kind", "expected \"finding\" (mi-audit run output), found \(kind.map { "\"\($0)\"" } ?? "none")")
    }
    guard let rule = try s.code("rule_id") else { throw FieldError("rule_id", "missing") }
    guard let sev = try s.string("sev_deg") else { throw FieldError("sev_deg", "missing") }
    guard sev == explicit || sev == suspect else {
      throw FieldError("sev_deg", "expected \"\(explicit)\" or \"\(suspect)\", found \"\(sev)\"")
    }
    let mode = try s.string("amt_mode") ?? "none"
    guard ["excess", "line", "none"].contains(mode) else {
      throw FieldError("amt_mode", "expected excess, line or none, found \"\(mode)\"")
    }
    let amount = try s.fen("vola_amt") ?? 0
    if amount < 0 { throw FieldError("vola_amt", "must not be negative (\(Money.format(amount)))") }
    var date: String? = nil
    if let d = try DateTime.read(s, "occur_date", time: false) {
      date = String(format4(d.year)) + "-" + two(d.month) + "-" + two(d.day)
    }
    let r = FindingRecord(
      ruleID: rule, ruleName: try s.string("rule_name"), sevDeg: sev, amtMode: mode, volaAmt: amount,
      setlID: try s.code("setl_id"), feedetlSN: try s.code("feedetl_sn"), fixmedinsCode: try s.code("fixmedins_code"),
      psnNo: try s.code("psn_no"), bilgDrCodg: try s.code("bilg_dr_codg"), chfpdrCode: try s.code("chfpdr_code"),
      insutype: try s.code("insutype"), occurDate: date, key: try s.code("key"))
    if r.key.isEmpty {
      throw FieldError(nil, "a finding needs a key: feedetl_sn, setl_id, psn_no or fixmedins_code")
    }
    return r
  }

  /// A year with four digits.
  private static func format4(_ n: Int) -> String {
    let s = String(n)
    return String(repeating: "0", count: max(0, 4 - s.count)) + s
  }

  /// A month or day with two digits.
  private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
