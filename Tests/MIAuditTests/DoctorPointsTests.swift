import Foundation
import MICore
import MITestSupport
import Testing

@testable import MIAudit

/// Doctor points (AUDIT.md §4) worked by hand: the same four confirmed findings under the national thresholds
/// (suspend at ≥ 9, terminate at 12) and seed 003's (suspend at ≥ 6, no termination stated).
@Suite struct DoctorPointsTests {
  /// A01 3 points, B01 3, C01 4 (a local map; the national bands are 1–3, 4–6, 7–9, 10–12).
  static let map = ["A01": 3, "B01": 3, "C01": 4, "H01": 12]

  /// Doctor D1: 2024-02-10 A01 (3 → 3), 2024-03-05 B01 (3 → 6), 2024-04-20 C01 (4 → 10), 2024-09-01 A01 (3 → 13).
  /// Doctor D2: one 12-point finding on 2024-06-30. One finding of 2023 and one 可疑 one (not confirmed by --auto).
  static let findings = [
    FindingRecord(ruleID: "C01", feedetlSN: "F3", fixmedinsCode: "H1", bilgDrCodg: "D1", occurDate: "2024-04-20"),
    FindingRecord(ruleID: "A01", feedetlSN: "F1", fixmedinsCode: "H1", bilgDrCodg: "D1", occurDate: "2024-02-10"),
    FindingRecord(ruleID: "A01", feedetlSN: "F4", fixmedinsCode: "H2", bilgDrCodg: "D1", occurDate: "2024-09-01"),
    FindingRecord(ruleID: "B01", feedetlSN: "F2", fixmedinsCode: "H2", bilgDrCodg: "D1", occurDate: "2024-03-05"),
    FindingRecord(ruleID: "H01", feedetlSN: "F5", fixmedinsCode: "H3", bilgDrCodg: "D2", occurDate: "2024-06-30"),
    FindingRecord(ruleID: "A01", feedetlSN: "F0", bilgDrCodg: "D1", occurDate: "2023-12-31"),
    FindingRecord(
      ruleID: "D05", sevDeg: FindingRecord.suspect, setlID: "S9", chfpdrCode: "D1", occurDate: "2024-05-01"),
  ]

  static func run(_ policy: PointsPolicy) -> DoctorPoints {
    var p = DoctorPoints(policy: policy, year: "2024")
    for f in findings { p.add(f, confirmed: f.sevDeg == FindingRecord.explicit) }
    return p
  }

  static func day(_ s: String) -> Int { PointsCalendar.day(s)! }

  @Test func nationalSuspendsAtNineAndTerminatesAtTwelve() {
    let p = Self.run(PointsPolicy(suspendAt: 9, terminateAt: 12, suspendMonths: 3, map: Self.map))
    let s = p.standings()
    #expect(s.map(\.doctor) == ["D1", "D2"])
    let d1 = s[0]
    #expect(d1.events.map(\.total) == [3, 6, 10, 13])
    #expect(d1.points == 13)
    // 10 ≥ 9 on 2024-04-20: suspended from the next day for 3 months, to 2024-07-20.
    #expect(d1.suspendedFrom == Self.day("2024-04-21"))
    #expect(d1.suspendedUntil == Self.day("2024-07-20"))
    #expect(d1.pointsAtSuspension == 10)
    // 13 ≥ 12 on 2024-09-01: terminated from 2024-09-02.
    #expect(d1.terminatedFrom == Self.day("2024-09-02"))
    #expect(d1.status == .terminated)
    // Two events at H1 and two at H2: the smaller code.
    #expect(d1.fixmedinsCode == "H1")
    // 12 points at once: terminated without a suspension (一次性记满12分).
    #expect(s[1].status == .terminated && s[1].suspendedFrom == nil && s[1].terminatedFrom == Self.day("2024-07-01"))
    #expect(p.counts.events == 5 && p.counts.otherYear == 1 && p.counts.notConfirmed == 1)
  }

  @Test func seed003SuspendsAtSix() {
    let p = Self.run(
      PointsPolicy(scheme: "seed-003", suspendAt: 6, terminateAt: nil, suspendMonths: 1, map: Self.map))
    let d1 = p.standings()[0]
    // 6 ≥ 6 on 2024-03-05 ("扣分达 6 分以上"): suspended 2024-03-06 to 2024-04-05; no termination threshold.
    #expect(d1.status == .suspended)
    #expect(d1.suspendedFrom == Self.day("2024-03-06"))
    #expect(d1.suspendedUntil == Self.day("2024-04-05"))
    #expect(d1.terminatedFrom == nil)
  }

  @Test func strictComparisonWaitsForMoreThanTheThreshold() {
    // suspend_cmp ">" (the 2023 draft's "超过"): at "> 10" the 10 points of 2024-04-20 do not suspend; the 13 of
    // 2024-09-01 do, from 2024-09-02.
    let p = Self.run(PointsPolicy(suspendAt: 10, suspendInclusive: false, terminateAt: nil, map: Self.map))
    #expect(p.standings()[0].suspendedFrom == Self.day("2024-09-02"))
  }

  @Test func suspensionEndsOnTheDayBeforeTheSameDayMonthsLater() {
    #expect(PointsCalendar.text(PointsCalendar.lastDay(from: Self.day("2024-01-31"), months: 1)) == "2024-02-28")
    #expect(PointsCalendar.text(PointsCalendar.lastDay(from: Self.day("2024-11-15"), months: 6)) == "2025-05-14")
    #expect(PointsCalendar.text(Self.day("1970-01-01")) == "1970-01-01")
  }

  @Test func recordAndLedgerLines() {
    let p = Self.run(PointsPolicy(suspendAt: 9, terminateAt: 12, suspendMonths: 3, map: Self.map))
    var out: [UInt8] = []
    DoctorRecords.write(p.standings()[1], scheme: "national", into: &out)
    #expect(
      String(decoding: out, as: UTF8.self)
        == #"{"kind":"doctor_points","doctor":"D2","year":"2024","scheme":"national","points":12,"events":1,"status":"terminated","terminated_from":"2024-07-01","fixmedins_code":"H3","detail":[{"rule_id":"H01","key":"F5","occur_date":"2024-06-30","points":12,"total":12}]}"#
        + "\n")
    let lines = DoctorRecords.ledgerLines(p.standings())
    #expect(
      lines.map { "\($0.pool) \($0.fixmedinsCode) \($0.item) \($0.amountFen)" } == [
        "D1 H1 points 1300", "D1 H1 suspended 2024-04-21..2024-07-20 1000", "D1 H1 terminated 2024-09-02 1300",
        "D2 H3 points 1200", "D2 H3 terminated 2024-07-01 1200",
      ])
  }

  @Test func ledgerRerunSupersedesAndTheRuleReadsTheEffectiveRun() throws {
    let dir = try TestSupport.tempDir("mi-audit-points")
    defer { try? FileManager.default.removeItem(at: dir) }
    let ws = try Workspace.open(dir.appendingPathComponent("mi.db").path, create: true)
    let national = Self.run(PointsPolicy(suspendAt: 9, terminateAt: 12, suspendMonths: 3, map: Self.map))
    let first = try ws.postRun(
      tool: "mi-audit", kind: "points", period: "2024", params: "r", inputSHA256: "x", records: 5,
      lines: DoctorRecords.ledgerLines(national.standings()))
    // The rerun under seed 003's thresholds supersedes the first: only its suspension counts.
    let seed = Self.run(PointsPolicy(suspendAt: 6, terminateAt: nil, suspendMonths: 1, map: Self.map))
    let second = try ws.postRun(
      tool: "mi-audit", kind: "points", period: "2024", params: "r", inputSHA256: "y", records: 5,
      lines: DoctorRecords.ledgerLines(seed.standings()))
    var s = Suspensions()
    try s.addLedger(ws)
    #expect(s.period("D1", on: Self.day("2024-03-06"))?.source == "points run \(second.id) (2024)")
    #expect(s.period("D1", on: Self.day("2024-04-06")) == nil)
    #expect(s.period("D1", on: Self.day("2024-09-03")) == nil)
    #expect(s.period("D2", on: Self.day("2024-07-31"))?.text == "2024-07-01..2024-07-31")
    // Restoring the first run brings back its suspension and terminations.
    try ws.restoreRun(first.id, tool: "mi-audit")
    var r = Suspensions()
    try r.addLedger(ws)
    #expect(r.period("D1", on: Self.day("2024-03-06")) == nil)
    #expect(r.period("D1", on: Self.day("2024-05-01"))?.text == "2024-04-21..2024-07-20")
    #expect(r.period("D1", on: Self.day("2030-01-01"))?.until == nil)
    #expect(r.period("D2", on: Self.day("2024-07-01")) != nil)
  }

  @Test func policyFromTOML() throws {
    let text = """
      [points]
      scheme = "seed-003"
      suspend_at = 6
      suspend_months = 2
      [points.map]
      A01 = 2
      """
    let p = try PointsPolicy.load(try Params(text: text, name: "r.toml"))
    #expect(p == PointsPolicy(scheme: "seed-003", suspendAt: 6, terminateAt: nil, suspendMonths: 2, map: ["A01": 2]))
    let typo = "[points]\nsuspend_at = 9\nsuspend_month = 2\n[points.map]\nA01 = 2\n"
    #expect(
      throws: MIError.usage(
        #"r.toml:3: key "points.suspend_month": unknown key (known: map, period, scheme, suspend_at, suspend_cmp, suspend_months, terminate_at)"#
      )
    ) {
      try PointsPolicy.load(try Params(text: typo, name: "r.toml"))
    }
    let low = "[points]\nsuspend_at = 9\nterminate_at = 9\n[points.map]\nA01 = 2\n"
    #expect(throws: MIError.usage(#"r.toml:3: key "points.terminate_at": must be above suspend_at (9), found 9"#)) {
      try PointsPolicy.load(try Params(text: low, name: "r.toml"))
    }
    let unknownRule = "[points]\nsuspend_at = 9\n[points.map]\nZ99 = 2\n"
    #expect(throws: MIError.usage(#"r.toml:4: key "points.map.Z99": no rule Z99 in the rule set"#)) {
      try PointsPolicy.load(try Params(text: unknownRule, name: "r.toml"), ruleIDs: ["A01"])
    }
  }
}
