import MICore

/// Day numbers, dates and exact ratios shared by the case, person and provider rules (audit-spec "CASE").
///
/// Times are seconds of the local clock since 1970-01-01 (SCHEMA.md: no zone), so a day is `seconds / 86400`
/// rounded towards minus infinity, and calendar arithmetic is plain integer arithmetic on day numbers.
enum CaseDay {
  /// The day number of a time, nil when there is none.
  static func of(_ seconds: Int64?) -> Int? {
    guard let s = seconds else { return nil }
    let q = s / 86400
    return Int(s % 86400 != 0 && s < 0 ? q - 1 : q)
  }

  /// `yyyy-MM-dd` of a day number (H. Hinnant's civil-from-days, exact for every proleptic Gregorian day).
  static func date(_ day: Int) -> String {
    let z = day + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(y)-\(two(m))-\(two(d))"
  }
}

extension AuditCase {
  /// The admission day, nil without `adm_time`.
  var admDay: Int? { CaseDay.of(admTime) }
  /// The discharge day, nil without `dscg_time`.
  var dscgDay: Int? { CaseDay.of(dscgTime) }
  /// The settlement day, else the discharge day: the day a case finding is dated by (audit-spec `occur_date`).
  var settledDay: Int? { CaseDay.of(setlTime) ?? CaseDay.of(dscgTime) }
  /// The day an outpatient settlement happened: `setl_time`, else `adm_time` (就诊时间), else `dscg_time`.
  var visitDay: Int? { CaseDay.of(setlTime) ?? CaseDay.of(admTime) ?? CaseDay.of(dscgTime) }
  /// Length of stay in days: `act_ipt_days`, else discharge day − admission day, at least 1 (a same-day stay
  /// counts one day, as 实际住院天数 does); nil when neither is known.
  var stayDays: Int? {
    if let d = actIptDays { return d }
    guard let a = admDay, let d = dscgDay else { return nil }
    return max(1, d - a)
  }
  /// The principal diagnosis (the first of `diag_codes`), nil when there is none.
  var principalDiag: String? { diagCodes.first }
}

/// Which amount of a case a case rule charges (AUDIT.md §2.3 "Case-level rules: fund_pay_sumamt (option
/// hifp_pay)"); `none` makes the finding a review lead whatever the rule's `amt_mode`.
enum CaseAmount: String, Sendable {
  case fund, hifp, none

  /// Reads the rule's `amount` key.
  static func read(_ spec: RuleSpec, default def: CaseAmount) throws(MIError) -> CaseAmount {
    CaseAmount(rawValue: try spec.choice("amount", ["fund", "hifp", "none"], default: def.rawValue))!
  }

  /// The amount's name in a sentence.
  var label: String {
    switch self {
    case .fund: return "基金支付总额"
    case .hifp: return "统筹基金支出"
    case .none: return "不计金额"
    }
  }

  /// The amount of `c` in fen: its `fund_pay_sumamt` or `hifp_pay`, 0 when the case does not carry it.
  func of(_ c: AuditCase) -> Int64 {
    switch self {
    case .fund: return max(0, c.fundPaySumamt ?? 0)
    case .hifp: return max(0, c.hifpPay ?? 0)
    case .none: return 0
    }
  }
}

/// Exact comparisons of ratios with `Fixed` thresholds: cross-multiplied in 128 bits, never rounded before the
/// comparison, so a ratio exactly at its cap compares equal.
enum ExactRatio {
  /// The sign of `n/d − t` (d > 0): `n × 10^s` against `t.raw × d`.
  static func compare(_ n: Int128, _ d: Int128, _ t: Fixed) -> Int {
    let lhs = n * Int128(Fixed.pow10(t.scale))
    let rhs = Int128(t.raw) * d
    return lhs < rhs ? -1 : (lhs == rhs ? 0 : 1)
  }

  /// The sign of `n/d − (1 + t)` (d > 0): growth `n/d − 1` against `t`.
  static func compareGrowth(_ n: Int128, _ d: Int128, _ t: Fixed) -> Int {
    compare(n, d, Fixed(raw: t.raw + Fixed.pow10(t.scale), scale: t.scale))
  }

  /// `n/d` at `scale` decimals, rounded half away from zero once (d > 0); for metric texts.
  static func quotient(_ n: Int128, _ d: Int128, scale: Int = 4) -> Fixed {
    let num = n * Int128(Fixed.pow10(scale))
    let mag = num.magnitude
    let dm = d.magnitude
    var q = mag / dm
    let r = mag % dm
    if r >= dm - r { q += 1 }
    let signed = Int64(q)
    return Fixed(raw: num < 0 ? -signed : signed, scale: scale)
  }

  /// `n/d` rounded half away from zero to a whole number (d > 0): an amount in fen from an exact fraction.
  static func rounded(_ n: Int128, _ d: Int128) -> Int64 {
    quotient(n, d, scale: 0).raw
  }
}

extension Finding {
  /// A finding about one case: keyed by its `setl_id`, dated by its settlement (else discharge) day, with its
  /// keys; the case's 主诊医师 (`chfpdr_code`) goes in `bilg_dr_codg`, the doctor field that doctor points read
  /// (AUDIT.md §4 "confirmed findings with bilg_dr_codg/chfpdr_code").
  init(rule: RuleSpec, case c: AuditCase, volaCont: String, volaAmt: Int64, volaEvid: String) {
    self.init(rule: rule, volaCont: volaCont, volaAmt: volaAmt, volaEvid: volaEvid, key: c.setlID, seq: c.seq)
    setlID = c.setlID
    mdtrtID = c.mdtrtID
    fixmedinsCode = c.fixmedinsCode
    psnNo = c.psnNo
    insutype = c.insutype
    bilgDrCodg = c.chfpdrCode
    occurDate = c.settledDay.map(CaseDay.date)
  }

  /// Makes the finding a lead without an amount (`amt_mode` none), whatever the rule's `amt_mode` says.
  mutating func lead() {
    amtMode = .none
    volaAmt = 0
  }

  /// A finding whose amount comes from `amount`: with `.none` the finding carries no amount whatever the rule's
  /// `amt_mode` says.
  mutating func charge(_ amount: CaseAmount, of c: AuditCase) {
    if amount == .none || amtMode == .none {
      lead()
    } else {
      volaAmt = amount.of(c)
    }
  }
}

extension Fixed {
  /// The value without trailing zeros, for sentences: `0.6000` → `0.6`, `5.0000` → `5` (the record fields
  /// `metric` and `threshold` keep the full scale).
  var plain: String {
    var t = description
    guard t.contains(".") else { return t }
    while t.hasSuffix("0") { t.removeLast() }
    if t.hasSuffix(".") { t.removeLast() }
    return t
  }
}

/// Money in a Chinese sentence: `1234.50元`.
func yuan(_ fen: Int64) -> String { Money.format(fen) + "元" }
