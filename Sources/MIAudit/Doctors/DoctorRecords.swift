import MICore

/// The output of `mi-audit doctors` and its lines in the points ledger.
public enum DoctorRecords {
  /// Writes one kind "doctor_points" record: doctor, year, scheme, points, events (their number), status,
  /// suspended_from and suspended_until, terminated_from (dates, when reached), fixmedins_code (the institution of
  /// most events), and detail: each event's rule_id, key, occur_date, points and the running total.
  public static func write(_ s: DoctorStanding, scheme: String, into out: inout [UInt8]) {
    var w = JSONWriter()
    w.begin(&out)
    w.string("kind", "doctor_points", &out)
    w.string("doctor", s.doctor, &out)
    w.string("year", s.year, &out)
    w.string("scheme", scheme, &out)
    w.int("points", Int64(s.points), &out)
    w.int("events", Int64(s.events.count), &out)
    w.string("status", s.status.rawValue, &out)
    w.stringUnlessNil("suspended_from", s.suspendedFrom.map(PointsCalendar.text), &out)
    w.stringUnlessNil("suspended_until", s.suspendedUntil.map(PointsCalendar.text), &out)
    w.stringUnlessNil("terminated_from", s.terminatedFrom.map(PointsCalendar.text), &out)
    w.stringUnlessNil("fixmedins_code", s.fixmedinsCode, &out)
    var detail: [UInt8] = [UInt8(ascii: "[")]
    for (i, e) in s.events.enumerated() {
      if i > 0 { detail.append(UInt8(ascii: ",")) }
      var d = JSONWriter()
      d.begin(&detail)
      d.string("rule_id", e.ruleID, &detail)
      d.string("key", e.key, &detail)
      d.string("occur_date", e.occurDate, &detail)
      d.int("points", Int64(e.points), &detail)
      d.int("total", Int64(e.total), &detail)
      detail.append(UInt8(ascii: "}"))
    }
    detail.append(UInt8(ascii: "]"))
    w.raw("detail", detail, &out)
    w.end(&out)
  }

  /// The item of a ledger line that records a suspension: `suspended FROM..UNTIL`.
  static let suspendedItem = "suspended"
  /// The item of a ledger line that records a termination: `terminated FROM`.
  static let terminatedItem = "terminated"

  /// The lines of a points run in the ledger (tool "mi-audit", kind "points", period the year). The ledger's
  /// columns are the clearing ledger's, so a doctor's line puts the doctor in `pool`, the institution of most
  /// events (or "") in `fixmedins_code`, and the points × 100 in `amount_fen` (so `ledger --lines` shows
  /// `"amount":9.00` for 9 points); item "points" holds the year's points, item "suspended FROM..UNTIL" the
  /// suspension, item "terminated FROM" the termination, each with the points that reached it.
  public static func ledgerLines(_ standings: [DoctorStanding]) -> [LedgerLine] {
    var lines: [LedgerLine] = []
    for s in standings {
      let code = s.fixmedinsCode ?? ""
      lines.append(LedgerLine(pool: s.doctor, fixmedinsCode: code, item: "points", amountFen: Int64(s.points) * 100))
      if let from = s.suspendedFrom, let until = s.suspendedUntil {
        lines.append(
          LedgerLine(
            pool: s.doctor, fixmedinsCode: code,
            item: "\(suspendedItem) \(PointsCalendar.text(from))..\(PointsCalendar.text(until))",
            amountFen: Int64(s.pointsAtSuspension ?? s.points) * 100))
      }
      if let from = s.terminatedFrom {
        lines.append(
          LedgerLine(
            pool: s.doctor, fixmedinsCode: code, item: "\(terminatedItem) \(PointsCalendar.text(from))",
            amountFen: Int64(s.pointsAtTermination ?? s.points) * 100))
      }
    }
    return lines
  }
}

/// Members of the audit records that are left out when absent.
extension JSONWriter {
  /// A string member, left out when nil (the audit records omit absent optionals instead of writing null).
  mutating func stringUnlessNil(_ k: StaticString, _ value: String?, _ out: inout [UInt8]) {
    if let value { string(k, value, &out) }
  }
}

/// The summary line of `mi-audit doctors`.
extension DoctorRecords {
  /// The parts of `mi-audit doctors`' summary line: every finding read is accounted for (DESIGN.md §4).
  public static func summaryParts(_ c: DoctorPoints.Counts, _ standings: [DoctorStanding], unmatched: Int?)
    -> [String]
  {
    var p = [
      "events \(c.events)", "doctors \(standings.count)",
      "suspended \(standings.filter { $0.status == .suspended }.count)",
      "terminated \(standings.filter { $0.status == .terminated }.count)",
      "not confirmed \(c.notConfirmed)", "other years \(c.otherYear)", "without doctor \(c.withoutDoctor)",
      "rules without points \(c.unmapped)",
    ]
    if let unmatched { p.append("confirmed keys not found \(unmatched)") }
    return p
  }
}
