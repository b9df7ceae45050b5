import MICore

/// A settlement (case) as audit rules see it: inpatient cases and outpatient settlements alike (SCHEMA.md case).
///
/// Times are seconds since 1970-01-01 00:00:00 read as local time without a zone (SCHEMA.md), days are day
/// numbers of that clock (seconds / 86400), and money is fen.
public struct AuditCase: Sendable {
  /// 0-based input order among the --cases records.
  public var seq: Int
  public var setlID: String
  public var mdtrtID: String?
  public var psnNo: String?
  public var fixmedinsCode: String?
  /// The case's hosp_lv, else the --hospitals registry's.
  public var hospLv: String?
  public var insutype: String?
  public var medType: String?
  /// med_type starts with one of the rule set's inpatient_med_types.
  public var isInpatient: Bool
  /// "1", "2", "0", "9".
  public var gend: String?
  /// Years: the case's `age`, else completed years from brdy at admission (else settlement) time.
  public var age: Int?
  public var nwbAgeDays: Int?
  /// brdy as a day number (days since 1970-01-01).
  public var birthDay: Int?
  public var admTime: Int64?
  public var dscgTime: Int64?
  public var setlTime: Int64?
  public var actIptDays: Int?
  public var dscgWay: String?
  public var diagCodes: [String]
  public var oprnCodes: [String]
  public var chfpdrCode: String?
  /// Fen.
  public var medfeeSumamt: Int64
  public var fundPaySumamt: Int64?
  public var hifpPay: Int64?
  public var fulamtOwnpayAmt: Int64?
  /// item_amts, fen by 医疗收费项目类别 "01"…"14".
  public var itemAmts: [String: Int64]
  /// group_code from mi-group.
  public var groupCode: String?
  /// weight (mi-score), scale 4.
  public var weight: Fixed?
  /// case_class (mi-score).
  public var caseClass: String?

  /// A case with its key and total; every other field empty.
  public init(seq: Int, setlID: String, medfeeSumamt: Int64 = 0) {
    self.seq = seq
    self.setlID = setlID
    self.isInpatient = false
    self.diagCodes = []
    self.oprnCodes = []
    self.medfeeSumamt = medfeeSumamt
    self.itemAmts = [:]
  }
}

/// One fee-detail line (SCHEMA.md fee).
public struct FeeLine: Sendable {
  /// 0-based input order among the --fees lines.
  public var seq: Int
  public var feedetlSN: String
  public var initFeedetlSN: String?
  public var setlID: String?
  public var mdtrtID: String?
  public var psnNo: String?
  public var fixmedinsCode: String?
  public var medListCodg: String
  public var medChrgitmType: String?
  public var listType: String?
  /// Scale 4.
  public var cnt: Fixed
  /// Scale 4 (yuan).
  public var pric: Fixed
  /// Scale 4; 999999 means no cap and is read as nil.
  public var pricUplmtAmt: Fixed?
  /// Fen.
  public var detItemFeeSumamt: Int64
  /// Fen, 0 when absent.
  public var fulamtOwnpayAmt: Int64, overlmtAmt: Int64, preselfpayAmt: Int64
  /// Fen.
  public var inscpScpAmt: Int64?
  /// E (issue 14 §3, AUDIT.md §2.3): inscp_scp_amt, else sum − ownpay − overlmt − preself, floor 0.
  public var exposure: Int64
  /// fee_ocur_time, seconds since 1970-01-01 local.
  public var time: Int64
  /// time / 86400.
  public var day: Int
  public var bilgDeptCodg: String?
  public var bilgDrCodg: String?
  /// Optional 5204 field.
  public var prdDays: Int?

  /// A line with its key, code, quantity, price and time; the amounts follow from them (sum = cnt × pric).
  public init(seq: Int, feedetlSN: String, medListCodg: String, cnt: Fixed, pric: Fixed, time: Int64) {
    self.seq = seq
    self.feedetlSN = feedetlSN
    self.medListCodg = medListCodg
    self.cnt = cnt.rescaled(to: 4)
    self.pric = pric.rescaled(to: 4)
    self.detItemFeeSumamt = FeeLine.fen(self.cnt, self.pric)
    self.fulamtOwnpayAmt = 0
    self.overlmtAmt = 0
    self.preselfpayAmt = 0
    self.exposure = detItemFeeSumamt
    self.time = time
    self.day = Int(FeeLine.floorDiv(time, 86400))
  }

  /// E of AUDIT.md §2.3: the fund-exposed part of a line. `inscp_scp_amt` when the line carries it, else the
  /// line total less the three self-paid parts, never below 0.
  public static func exposure(
    sum: Int64, ownpay: Int64, overlmt: Int64, preself: Int64, inscp: Int64?
  ) -> Int64 {
    if let inscp { return max(0, inscp) }
    return max(0, sum - ownpay - overlmt - preself)
  }

  /// quantity × price in fen, rounded half-up once (both scale 4: the product has scale 8, fen is scale 2).
  public static func fen(_ cnt: Fixed, _ pric: Fixed) -> Int64 {
    cnt.rescaled(to: 4).multiplied(by: pric.rescaled(to: 4), scale: 2).raw
  }

  /// Division rounding towards minus infinity (days before 1970 stay on their own day).
  @inlinable static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
  }
}
