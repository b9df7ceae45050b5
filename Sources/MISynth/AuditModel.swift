import Foundation
import MICore

/// One fee line being built by the audit generator, before it gets its feedetl_sn.
struct GenLine {
  /// med_list_codg.
  var code: [UInt8]
  /// list_type: 101 西药, 102 中成药, 201 诊疗, 301 材料.
  var listType: Int
  /// med_chrgitm_type 1…14 (SCHEMA.md item_amts keys).
  var itemType: Int
  /// chrgitm_lv 1 甲 / 2 乙 / 3 丙.
  var level: Int
  var cnt: Int
  /// pric in fen.
  var pric: Int64
  /// pric_uplmt_amt in fen (nil: not written).
  var cap: Int64?
  var ownpay: Int64 = 0
  var overlmt: Int64 = 0
  /// Day of the year (0-based) and seconds of the day of fee_ocur_time.
  var day: Int
  var secs: Int
  /// Department index (bilg_dept_codg A01…A12).
  var dept: Int
  /// Doctor index within the institution.
  var doctor: Int
  /// Rule ids whose expected finding has this line as its key.
  var marks: [String] = []

  /// det_item_fee_sumamt.
  var amount: Int64 { pric * Int64(cnt) }
  /// preselfpay_amt: 10% of an 乙 item's amount within its cap.
  var preself: Int64 { level == 2 ? (amount - overlmt - ownpay) / 10 : 0 }
  /// inscp_scp_amt = E (issue 14 §3): the amount less the three self-paid parts.
  var inscp: Int64 { max(0, amount - ownpay - overlmt - preself) }
}

/// One settlement (inpatient case or outpatient settlement) with its fee lines.
struct GenCase {
  /// setl_id / mdtrt_id serial (S… or O…).
  var serial: Int
  var outpatient: Bool
  /// psn_no serial.
  var person: Int
  /// Institution index: below the pool's --hospitals a regular hospital, above it a dedicated one.
  var inst: Int
  var hospLv: Int
  var insutype: Int
  var medType: String
  var gend: Int
  var age: Int
  /// Birth date as (year offset from the settlement year, day of that year).
  var birthYear: Int
  var birthDay: Int
  var admDay: Int
  var dscgDay: Int
  var setlSecs: Int
  var dscgWay: Int = 1
  var diag: [String]
  var oprn: [String]
  var doctor: Int
  var lines: [GenLine]
  /// Extra members written at the end of the case, already JSON (`"case_class":"high"`).
  var extra: [String] = []
  /// group_code (mi-group), for planted group and MCC-share cases.
  var groupCode: String?
  /// weight (mi-score) raw at scale 4, for planted CMI cases.
  var weight: Int64?
  /// psn_no and fixmedins_code given by a rule's table (a "5定" registration, a designated site) instead of the
  /// generator's serials.
  var psnText: String?
  var instText: String?
  /// Fund share of the in-scope amount, in percent.
  var fundPercent: Int64 = 70
  /// Rule ids whose expected finding is keyed by this case's setl_id.
  var marks: [String] = []
  /// Whether the case's hospital gets no outpatient settlements for it (a planted institution makes its own).
  var ownOutpatients = false
  /// Whether the case has a twin in the previous period (--previous-out): all but the cases a growth plant adds.
  var inPrevious = true

  /// act_ipt_days: discharge day − admission day, at least 1.
  var los: Int { max(1, dscgDay - admDay) }
}

/// Writes generated cases and their lines as NDJSON, assigning feedetl_sn values and collecting the manifest.
final class GenWriter {
  let year: Int
  let admdvs: String
  let fees: OutputFile
  let cases: OutputFile?
  let previous: OutputFile?
  /// Manifest rows `(rule_id, key)`.
  var manifest: [(String, String)] = []
  /// Next feedetl_sn serial.
  var sn = 0
  /// Cases and lines written (the summary on stderr).
  var caseCount = 0
  var lineCount = 0

  init(year: Int, admdvs: String, fees: OutputFile, cases: OutputFile?, previous: OutputFile?) {
    self.year = year
    self.admdvs = admdvs
    self.fees = fees
    self.cases = cases
    self.previous = previous
  }

  /// The institution code of index `i` (regular and dedicated ones share the pool's code shape).
  func instCode(_ i: Int) -> [UInt8] { World.hospitalCode(admdvs, i) }

  /// fixmedins_code of a case.
  func instCode(_ c: GenCase) -> [UInt8] { c.instText.map { Array($0.utf8) } ?? instCode(c.inst) }

  /// psn_no of a case.
  func psn(_ c: GenCase) -> [UInt8] { Array((c.psnText ?? GenWriter.psnNo(c.person)).utf8) }

  /// setl_id of a case.
  func setlID(_ c: GenCase, year y: Int? = nil) -> String {
    let yy = String(format: "%04d", y ?? year)
    return c.outpatient ? "O\(yy)\(String(format: "%010d", c.serial))" : "S\(yy)\(String(format: "%09d", c.serial))"
  }

  /// psn_no of a person serial.
  static func psnNo(_ p: Int) -> String { "P" + String(format: "%010d", p) }

  /// Writes a case's lines (sorted by time, numbered in that order) and, with --cases-out, the case.
  func write(_ c: GenCase) throws(MIError) {
    var c = c
    c.lines.sort { ($0.day, $0.secs) < ($1.day, $1.secs) }
    let setl = Array(setlID(c).utf8)
    let inst = instCode(c)
    let person = psn(c)
    var b = fees.buffer
    fees.buffer = []
    for l in c.lines {
      sn += 1
      for m in l.marks { manifest.append((m, "F" + String(format: "%012d", sn))) }
      line(l, sn: sn, setl: setl, person: person, inst: inst, into: &b)
    }
    lineCount += c.lines.count
    fees.buffer = b
    try fees.flushIfNeeded()
    let id = setlID(c)
    for m in c.marks { manifest.append((m, id)) }
    caseCount += 1
    if let cases {
      var cb = cases.buffer
      cases.buffer = []
      record(c, year: year, into: &cb)
      cases.buffer = cb
      try cases.flushIfNeeded()
    }
  }

  /// Writes a case of the previous period (--previous-out): the same case a year earlier.
  func writePrevious(_ c: GenCase) throws(MIError) {
    guard let previous, c.inPrevious else { return }
    var b = previous.buffer
    previous.buffer = []
    record(c, year: year - 1, into: &b)
    previous.buffer = b
    try previous.flushIfNeeded()
  }

  /// One fee line's JSON.
  private func line(_ l: GenLine, sn: Int, setl: [UInt8], person: [UInt8], inst: [UInt8], into b: inout [UInt8]) {
    b.lit("{\"feedetl_sn\":\"F")
    b.padded(sn, 12)
    b.lit("\",\"setl_id\":")
    b.str(setl)
    b.lit(",\"mdtrt_id\":\"M")
    b.append(contentsOf: setl.dropFirst())
    b.lit("\",\"psn_no\":")
    b.str(person)
    b.lit(",\"fixmedins_code\":")
    b.str(inst)
    b.lit(",\"med_list_codg\":")
    b.str(l.code)
    b.lit(",\"list_type\":\"")
    b.num(l.listType)
    b.lit("\",\"med_chrgitm_type\":\"")
    b.padded(l.itemType, 2)
    b.lit("\",\"chrgitm_lv\":\"0")
    b.num(l.level)
    b.lit("\",\"cnt\":")
    b.num(l.cnt)
    b.fenField(",\"pric\":", l.pric)
    if let cap = l.cap { b.fenField(",\"pric_uplmt_amt\":", cap) }
    b.fenField(",\"det_item_fee_sumamt\":", l.amount)
    b.fenField(",\"fulamt_ownpay_amt\":", l.ownpay)
    b.fenField(",\"overlmt_amt\":", l.overlmt)
    b.fenField(",\"preselfpay_amt\":", l.preself)
    b.fenField(",\"inscp_scp_amt\":", l.inscp)
    b.lit(",\"fee_ocur_time\":\"")
    b.dateTime(year: year, day: l.day, seconds: l.secs)
    b.lit("\",\"bilg_dept_codg\":\"A")
    b.padded(1 + l.dept % 12, 2)
    b.lit("\",\"bilg_dr_codg\":\"D")
    b.append(contentsOf: inst.suffix(5))
    b.padded(l.doctor, 3)
    b.lit("\"}\n")
  }

  /// One case's JSON: the SCHEMA.md case fields the audit reads, amounts summed from its lines.
  ///
  /// Longer than ~60 lines on purpose: one straight run of the record's members in output order.
  private func record(_ c: GenCase, year y: Int, into b: inout [UInt8]) {
    var medfee: Int64 = 0
    var ownpay: Int64 = 0
    var overlmt: Int64 = 0
    var preself: Int64 = 0
    var inscp: Int64 = 0
    var items = [Int64](repeating: 0, count: 15)
    for l in c.lines {
      medfee += l.amount
      ownpay += l.ownpay
      overlmt += l.overlmt
      preself += l.preself
      inscp += l.inscp
      items[l.itemType] += l.amount
    }
    let fund = inscp * c.fundPercent / 100
    b.lit("{\"setl_id\":")
    b.str(Array(setlID(c, year: y).utf8))
    b.lit(",\"mdtrt_id\":\"M")
    b.append(contentsOf: setlID(c, year: y).utf8.dropFirst())
    b.lit("\",\"psn_no\":")
    b.str(psn(c))
    b.lit(",\"fixmedins_code\":")
    b.str(instCode(c))
    b.lit(",\"hosp_lv\":\"")
    b.num(c.hospLv)
    b.lit("\",\"insutype\":\"")
    b.num(c.insutype)
    b.lit("\",\"med_type\":\"")
    b.append(contentsOf: c.medType.utf8)
    b.lit("\",\"gend\":\"")
    b.num(c.gend)
    // The birth date is the person's, whatever the period; a previous period's case is a year younger.
    b.lit("\",\"brdy\":\"")
    b.date(year: year + c.birthYear, day: c.birthDay)
    b.lit("\",\"age\":")
    b.num(c.age - (year - y))
    if !c.outpatient {
      b.lit(",\"adm_time\":\"")
      b.dateTime(year: y, day: c.admDay, seconds: 9 * 3600)
      b.lit("\",\"dscg_time\":\"")
      b.dateTime(year: y, day: c.dscgDay, seconds: c.setlSecs - 600)
      b.lit("\",\"act_ipt_days\":")
      b.num(c.los)
      b.lit(",\"dscg_way\":\"")
      b.num(c.dscgWay)
      b.lit("\"")
    }
    b.lit(",\"setl_time\":\"")
    b.dateTime(year: y, day: c.dscgDay, seconds: c.setlSecs)
    b.lit("\",\"chfpdr_code\":\"D")
    b.append(contentsOf: instCode(c).suffix(5))
    b.padded(c.doctor, 3)
    b.lit("\",\"diag_codes\":[")
    for (i, d) in c.diag.enumerated() {
      if i > 0 { b.lit(",") }
      b.str(Array(d.utf8))
    }
    b.lit("],\"oprn_codes\":[")
    for (i, o) in c.oprn.enumerated() {
      if i > 0 { b.lit(",") }
      b.str(Array(o.utf8))
    }
    b.fenField("],\"medfee_sumamt\":", medfee)
    b.fenField(",\"fulamt_ownpay_amt\":", ownpay)
    b.fenField(",\"overlmt_selfpay\":", overlmt)
    b.fenField(",\"preselfpay_amt\":", preself)
    b.fenField(",\"inscp_scp_amt\":", inscp)
    b.fenField(",\"hifp_pay\":", fund)
    b.fenField(",\"fund_pay_sumamt\":", fund)
    b.fenField(",\"psn_part_amt\":", medfee - fund)
    b.lit(",\"item_amts\":{")
    var first = true
    for k in 1...14 where items[k] != 0 {
      if !first { b.lit(",") }
      first = false
      b.lit("\"")
      b.padded(k, 2)
      b.fenField("\":", items[k])
    }
    b.lit("}")
    if let g = c.groupCode {
      b.lit(",\"group_code\":")
      b.str(Array(g.utf8))
    }
    if let w = c.weight {
      b.lit(",\"weight\":")
      b.num(Int(w / 10_000))
      b.lit(".")
      b.padded(Int(w % 10_000), 4)
    }
    for e in c.extra {
      b.lit(",")
      b.append(contentsOf: e.utf8)
    }
    b.lit("}\n")
  }
}
