import MICore

/// Times of SCHEMA.md (`yyyy-MM-dd HH:mm:ss`, local, no zone) as seconds since 1970-01-01 00:00:00 of that clock,
/// and dates as day numbers: plain arithmetic on the civil calendar, no time zone involved.
public enum AuditTime {
  /// Days since 1970-01-01 of a civil date (MICore `DateTime.dayNumber`).
  @inlinable public static func dayNumber(year: Int, month: Int, day: Int) -> Int {
    DateTime.dayNumber(year: year, month: month, day: day)
  }

  /// The civil date of a day number.
  @inlinable public static func civil(_ dayNumber: Int) -> (year: Int, month: Int, day: Int) {
    DateTime.civil(dayNumber)
  }

  /// `yyyy-MM-dd` of a day number.
  public static func dateText(_ dayNumber: Int) -> String { DateTime.dateText(dayNumber) }

  /// The day number of a time in seconds.
  @inlinable public static func day(_ seconds: Int64) -> Int {
    let q = seconds / 86400
    return Int(seconds % 86400 < 0 ? q - 1 : q)
  }

  /// Seconds of a `yyyy-MM-dd HH:mm:ss` or `yyyy-MM-dd` text (the raw bytes inside the quotes); nil when it is
  /// neither.
  @inlinable public static func seconds(_ b: UnsafeRawBufferPointer) -> Int64? {
    if b.count == 10 {
      guard let v = DateTime.parse(b, time: false) else { return nil }
      return Int64(dayNumber(year: v.year, month: v.month, day: v.day)) * 86400
    }
    guard b.count == 19, let v = DateTime.parse(b, time: true) else { return nil }
    @inline(__always) func d(_ i: Int) -> Int64 { Int64(b[i]) - 48 }
    let hms = (d(11) * 10 + d(12)) * 3600 + (d(14) * 10 + d(15)) * 60 + d(17) * 10 + d(18)
    return Int64(dayNumber(year: v.year, month: v.month, day: v.day)) * 86400 + hms
  }

  /// Reads member `i` of the scanner as a time (or date); nil when null; an error naming the field otherwise.
  static func read(_ s: RecordScanner, _ i: Int, _ field: String) throws(FieldError) -> Int64? {
    guard i >= 0 else { return nil }
    let raw = s.rawValue(i)
    if raw.count == 4 && raw[0] == UInt8(ascii: "n") { return nil }
    if raw.count >= 2, raw[0] == UInt8(ascii: "\""), raw[raw.count - 1] == UInt8(ascii: "\""),
      let t = seconds(UnsafeRawBufferPointer(rebasing: raw[1..<(raw.count - 1)]))
    {
      return t
    }
    let shown = String(decoding: raw.prefix(40), as: UTF8.self)
    throw FieldError(field, "expected a time yyyy-MM-dd HH:mm:ss (or a date yyyy-MM-dd), found \(shown)")
  }
}

/// Reads case records (SCHEMA.md case) into `AuditCase`.
public final class CaseReader {
  private let settings: AuditSettings
  private let hospitals: [String: String]
  private let sub = RecordScanner()
  private static let idFields = FieldLocator([
    "setl_id", "mdtrt_id", "psn_no", "fixmedins_code", "hosp_lv", "insutype", "med_type", "gend", "age",
    "nwb_age", "brdy", "adm_time", "dscg_time", "setl_time", "act_ipt_days", "dscg_way",
  ])
  private static let moneyFields = FieldLocator([
    "diag_codes", "oprn_codes", "chfpdr_code", "medfee_sumamt", "fund_pay_sumamt", "hifp_pay",
    "fulamt_ownpay_amt", "item_amts", "group_code", "weight", "case_class",
  ])

  /// A reader with the rule set's settings (inpatient med_types) and the hospital registry (code → hosp_lv).
  public init(settings: AuditSettings, hospitals: [String: String]) {
    self.settings = settings
    self.hospitals = hospitals
  }

  /// The case in the scanner; `seq` is its input order. A missing setl_id or a bad field is a `FieldError`.
  public func read(_ s: RecordScanner, seq: Int) throws(FieldError) -> AuditCase {
    let a = CaseReader.idFields.locate(s)
    let b = CaseReader.moneyFields.locate(s)
    func code(_ i: Int, _ f: String) throws(FieldError) -> String? { i < 0 ? nil : try s.code(at: i, field: f) }
    func int(_ i: Int, _ f: String) throws(FieldError) -> Int? {
      i < 0 ? nil : try s.int(at: i, field: f).map { Int($0) }
    }
    func fen(_ i: Int, _ f: String) throws(FieldError) -> Int64? { i < 0 ? nil : try s.fen(at: i, field: f) }
    guard let setl = try code(a[0], "setl_id") else { throw FieldError("setl_id", "required") }
    var c = AuditCase(seq: seq, setlID: setl)
    c.mdtrtID = try code(a[1], "mdtrt_id")
    c.psnNo = try code(a[2], "psn_no")
    c.fixmedinsCode = try code(a[3], "fixmedins_code")
    c.hospLv = try code(a[4], "hosp_lv") ?? c.fixmedinsCode.flatMap { hospitals[$0] }
    c.insutype = try code(a[5], "insutype")
    c.medType = try code(a[6], "med_type")
    c.isInpatient = settings.isInpatient(c.medType)
    c.gend = try code(a[7], "gend")
    c.nwbAgeDays = try int(a[9], "nwb_age")
    if a[10] >= 0 {
      let raw = s.rawValue(a[10])
      if !(raw.count == 4 && raw[0] == UInt8(ascii: "n")) {
        guard let t = try AuditTime.read(s, a[10], "brdy") else { throw FieldError("brdy", "expected a date") }
        c.birthDay = AuditTime.day(t)
      }
    }
    c.admTime = try AuditTime.read(s, a[11], "adm_time")
    c.dscgTime = try AuditTime.read(s, a[12], "dscg_time")
    c.setlTime = try AuditTime.read(s, a[13], "setl_time")
    c.actIptDays = try int(a[14], "act_ipt_days")
    c.dscgWay = try code(a[15], "dscg_way")
    c.age = try int(a[8], "age")
    if c.age == nil, let birth = c.birthDay, let at = c.admTime ?? c.setlTime {
      c.age = AuditAge.years(birthDay: birth, on: AuditTime.day(at))
    }
    if b[0] >= 0 { c.diagCodes = try s.strings("diag_codes") ?? [] }
    if b[1] >= 0 { c.oprnCodes = try s.strings("oprn_codes") ?? [] }
    c.chfpdrCode = try code(b[2], "chfpdr_code")
    c.medfeeSumamt = try fen(b[3], "medfee_sumamt") ?? 0
    c.fundPaySumamt = try fen(b[4], "fund_pay_sumamt")
    c.hifpPay = try fen(b[5], "hifp_pay")
    c.fulamtOwnpayAmt = try fen(b[6], "fulamt_ownpay_amt")
    if b[7] >= 0 { c.itemAmts = try itemAmts(s.rawValue(b[7])) }
    c.groupCode = try code(b[8], "group_code")
    if let w = try AuditNumber.fixed(s, b[9], "weight", scale: 4) { c.weight = Fixed(raw: w, scale: 4) }
    c.caseClass = try code(b[10], "case_class")
    return c
  }

  /// `item_amts`: an object of 医疗收费项目类别 → yuan.
  private func itemAmts(_ raw: UnsafeRawBufferPointer) throws(FieldError) -> [String: Int64] {
    if raw.count == 4 && raw[0] == UInt8(ascii: "n") { return [:] }
    guard raw.first == UInt8(ascii: "{") else { throw FieldError("item_amts", "expected an object of amounts") }
    do {
      try sub.parse(raw)
    } catch {
      throw FieldError("item_amts", "expected an object of amounts")
    }
    var out: [String: Int64] = [:]
    for i in 0..<sub.members.count {
      let k = sub.key(i)
      if let v = try sub.fen(at: i, field: "item_amts.\(k)") { out[k] = v }
    }
    return out
  }
}

/// Ages of AUDIT.md §2.4: completed years at a day.
public enum AuditAge {
  /// Completed years on `day` of a person born on `birthDay` (the birthday itself counts the new year; a
  /// 29 February birthday counts on 1 March in common years).
  public static func years(birthDay: Int, on day: Int) -> Int {
    let b = AuditTime.civil(birthDay)
    let d = AuditTime.civil(day)
    var y = d.year - b.year
    if (d.month, d.day) < (b.month, b.day) { y -= 1 }
    return y
  }
}

/// Reads fee-detail lines (SCHEMA.md fee) into `FeeLine`, with two field locators (one pass over the keys each).
public final class FeeReader {
  private static let keys = FieldLocator([
    "feedetl_sn", "init_feedetl_sn", "setl_id", "mdtrt_id", "psn_no", "fixmedins_code", "med_list_codg",
    "med_chrgitm_type", "list_type", "cnt", "pric", "pric_uplmt_amt", "fee_ocur_time", "bilg_dept_codg",
    "bilg_dr_codg", "prd_days",
  ])
  private static let amounts = FieldLocator([
    "det_item_fee_sumamt", "fulamt_ownpay_amt", "overlmt_amt", "preselfpay_amt", "inscp_scp_amt",
  ])
  /// 999999 yuan, the platform's "no cap" price (AUDIT.md §2.4).
  static let noCap: Int64 = 999_999 * 10_000

  /// Creates a reader.
  public init() {}

  /// The visit key of the record in the scanner: setl_id, else mdtrt_id, as raw JSON bytes (nil without either).
  /// Used by the engine's grouping check without building the line.
  public func visitKey(_ s: RecordScanner) -> UnsafeRawBufferPointer? {
    if let r = s.rawValue("setl_id"), !(r.count == 4 && r[0] == UInt8(ascii: "n")) { return r }
    if let r = s.rawValue("mdtrt_id"), !(r.count == 4 && r[0] == UInt8(ascii: "n")) { return r }
    return nil
  }

  /// The line in the scanner; `seq` is its input order.
  public func read(_ s: RecordScanner, seq: Int) throws(FieldError) -> FeeLine {
    let a = FeeReader.keys.locate(s)
    let m = FeeReader.amounts.locate(s)
    func code(_ i: Int, _ f: String) throws(FieldError) -> String? { i < 0 ? nil : try s.code(at: i, field: f) }
    func fixed(_ i: Int, _ f: String) throws(FieldError) -> Int64? { try AuditNumber.fixed(s, i, f, scale: 4) }
    func fen(_ i: Int, _ f: String) throws(FieldError) -> Int64? { i < 0 ? nil : try s.fen(at: i, field: f) }
    guard let sn = try code(a[0], "feedetl_sn") else { throw FieldError("feedetl_sn", "required") }
    guard let codg = try code(a[6], "med_list_codg") else { throw FieldError("med_list_codg", "required") }
    guard let cnt = try fixed(a[9], "cnt") else { throw FieldError("cnt", "required") }
    guard let pric = try fixed(a[10], "pric") else { throw FieldError("pric", "required") }
    guard let time = try AuditTime.read(s, a[12], "fee_ocur_time") else {
      throw FieldError("fee_ocur_time", "required")
    }
    var l = FeeLine(
      seq: seq, feedetlSN: sn, medListCodg: codg, cnt: Fixed(raw: cnt, scale: 4), pric: Fixed(raw: pric, scale: 4),
      time: time)
    l.initFeedetlSN = try code(a[1], "init_feedetl_sn")
    l.setlID = try code(a[2], "setl_id")
    l.mdtrtID = try code(a[3], "mdtrt_id")
    l.psnNo = try code(a[4], "psn_no")
    l.fixmedinsCode = try code(a[5], "fixmedins_code")
    l.medChrgitmType = try code(a[7], "med_chrgitm_type")
    l.listType = try code(a[8], "list_type")
    if let cap = try fixed(a[11], "pric_uplmt_amt"), cap != FeeReader.noCap, cap > 0 {
      l.pricUplmtAmt = Fixed(raw: cap, scale: 4)
    }
    l.bilgDeptCodg = try code(a[13], "bilg_dept_codg")
    l.bilgDrCodg = try code(a[14], "bilg_dr_codg")
    if a[15] >= 0 { l.prdDays = try s.int(at: a[15], field: "prd_days").map { Int($0) } }
    if let sum = try fen(m[0], "det_item_fee_sumamt") { l.detItemFeeSumamt = sum }
    l.fulamtOwnpayAmt = try fen(m[1], "fulamt_ownpay_amt") ?? 0
    l.overlmtAmt = try fen(m[2], "overlmt_amt") ?? 0
    l.preselfpayAmt = try fen(m[3], "preselfpay_amt") ?? 0
    l.inscpScpAmt = try fen(m[4], "inscp_scp_amt")
    l.exposure = FeeLine.exposure(
      sum: l.detItemFeeSumamt, ownpay: l.fulamtOwnpayAmt, overlmt: l.overlmtAmt, preself: l.preselfpayAmt,
      inscp: l.inscpScpAmt)
    return l
  }
}

/// Fixed-point members by index (the scanner reads them by name only).
enum AuditNumber {
  /// Member `i` as a fixed-point raw value at `scale`: a JSON number or a numeric string; nil when absent
  /// (i < 0), null or ""; more decimals than `scale` (other than zeros) are an error naming the field.
  static func fixed(_ s: RecordScanner, _ i: Int, _ field: String, scale: Int) throws(FieldError) -> Int64? {
    guard i >= 0 else { return nil }
    var raw = s.rawValue(i)
    if raw.count == 4 && raw[0] == UInt8(ascii: "n") { return nil }
    if raw.count >= 2 && raw[0] == UInt8(ascii: "\"") {
      if raw.count == 2 { return nil }
      raw = UnsafeRawBufferPointer(rebasing: raw[1..<(raw.count - 1)])
    }
    if let v = Fixed.parseRaw(raw, scale: scale) { return v }
    let shown = String(decoding: s.rawValue(i).prefix(40), as: UTF8.self)
    throw FieldError(field, "expected a number with at most \(scale) decimals, found \(shown)")
  }
}
