import MICore

/// Rule type `suspended-doctor` (G02, AUDIT.md §4): a fee line billed by a doctor whose 医保支付资格 is suspended
/// or terminated on the line's day is 明确违规, amount the line's E; lines of an emergency settlement are
/// excepted ("暂停期间…急救、抢救除外").
///
/// Parameters: `suspended` (doctors suspended by notices from outside the workspace, national points being
/// shared: `"DOCTOR FROM..UNTIL"`, or `"DOCTOR FROM.."` for a termination; default none), `ledger` (read the
/// effective points runs of the workspace when one is open; default true) and `emergency_med_types` (default the
/// settings'). State: the suspensions, one entry per suspended doctor; nothing per line or per visit.
final class SuspendedDoctorRule: FeeRule {
  /// The rule instance.
  private let spec: RuleSpec
  /// The suspensions of the rule's list and of the ledger.
  private let suspensions: Suspensions
  /// med_type prefixes of the emergency settlements excepted.
  private let emergency: [String]

  /// Builds the rule: reads its parameters and the suspensions (the ledger once, at start-up).
  init(_ spec: RuleSpec, _ context: RuleContext) throws {
    self.spec = spec
    emergency = try spec.strings("emergency_med_types", default: context.settings.emergencyMedTypes)
    var s = Suspensions()
    for entry in try spec.strings("suspended", default: []) {
      guard let (doctor, period) = Suspensions.listed(entry, source: "rule \(spec.id) suspended") else {
        throw spec.invalid(
          "suspended", "expected \"DOCTOR FROM..UNTIL\" or \"DOCTOR FROM..\" (yyyy-MM-dd), found \"\(entry)\"")
      }
      s.add(doctor: doctor, period)
    }
    if try spec.bool("ledger", default: true), let ws = context.workspace { try s.addLedger(ws) }
    suspensions = s
  }

  /// Flags each line of the visit billed by a suspended doctor on its day, unless the settlement is an emergency.
  func visit(_ lines: ArraySlice<FeeLine>, case c: AuditCase?, into findings: inout [Finding]) throws {
    if suspensions.isEmpty { return }
    if let m = c?.medType, emergency.contains(where: { m.hasPrefix($0) }) { return }
    for l in lines {
      guard let doctor = l.bilgDrCodg, let p = suspensions.period(doctor, on: l.day) else { continue }
      let what = p.until == nil ? "终止" : "暂停"
      var f = Finding(
        rule: spec,
        volaCont:
          "医师\(doctor)在医保支付资格\(what)期间(\(p.text))开具费用: \(l.medListCodg) 数量 \(FindingWriter.quantityText(l.cnt)), 基金支付范围 \(Money.format(l.exposure))",
        volaAmt: l.exposure, volaEvid: "医保发〔2024〕23号 医保支付资格记分, \(p.source)", key: l.feedetlSN, seq: l.seq)
      f.setlID = l.setlID ?? c?.setlID
      f.mdtrtID = l.mdtrtID ?? c?.mdtrtID
      f.feedetlSN = l.feedetlSN
      f.fixmedinsCode = l.fixmedinsCode ?? c?.fixmedinsCode
      f.psnNo = l.psnNo ?? c?.psnNo
      f.bilgDrCodg = doctor
      f.insutype = c?.insutype
      f.occurDate = PointsCalendar.text(l.day)
      f.detail = [FindingDetail(feedetlSN: l.feedetlSN, cnt: l.cnt, volaAmt: f.volaAmt)]
      findings.append(f)
    }
  }

  /// Nothing to emit at the end: the rule keeps no state per visit.
  func finish(into findings: inout [Finding]) throws {}
}

/// The entries of the rule's own list.
extension Suspensions {
  /// A `suspended` entry of the rule: `"DOCTOR FROM..UNTIL"` or `"DOCTOR FROM.."`; nil when malformed.
  static func listed(_ entry: String, source: String) -> (String, Period)? {
    let parts = entry.split(separator: " ")
    guard parts.count == 2 else { return nil }
    let range = parts[1].split(separator: ".", omittingEmptySubsequences: false)
    guard range.count == 3, range[1].isEmpty, let from = PointsCalendar.day(String(range[0])) else { return nil }
    if range[2].isEmpty { return (String(parts[0]), Period(from: from, until: nil, source: source)) }
    guard let until = PointsCalendar.day(String(range[2])), until >= from else { return nil }
    return (String(parts[0]), Period(from: from, until: until, source: source))
  }
}
