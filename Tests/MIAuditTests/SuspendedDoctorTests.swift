import Foundation
import MICore
import MITestSupport
import Testing

@testable import MIAudit

/// Rule type suspended-doctor (G02) in process: the suspensions of the rule's list and of the points ledger, the
/// period's bounds, the emergency exception, and the confirmed list it all starts from.
@Suite struct SuspendedDoctorTests {
  static let rules = """
    [[rule]]
    id = "G02"
    type = "suspended-doctor"
    name = "医保医师暂停期间开具费用"
    suspended = ["X9 2024-05-01..2024-05-31", "Z1 2024-06-01.."]
    """

  static func day(_ s: String) -> Int { PointsCalendar.day(s)! }

  /// A line of `doctor` on `date` at 10:00, 1 × 8.00.
  static func line(_ sn: String, _ doctor: String, _ date: String, seq: Int) -> FeeLine {
    var l = FeeLine(
      seq: seq, feedetlSN: sn, medListCodg: "XA03", cnt: Fixed(integer: 1, scale: 4), pric: Fixed(integer: 8, scale: 4),
      time: Int64(day(date)) * 86400 + 36000)
    l.bilgDrCodg = doctor
    l.setlID = "S1"
    return l
  }

  static func run(_ lines: [FeeLine], medType: String?, workspace: Workspace? = nil) throws -> [Finding] {
    let set = try RuleSet(text: rules, name: "g02.toml")
    guard case .fee(_, let rule) = try Registry.build(set.rules[0], RuleContext(knowledge: nil, workspace: workspace))
    else { return [] }
    var c = AuditCase(seq: 0, setlID: "S1")
    c.medType = medType
    c.insutype = "310"
    var out: [Finding] = []
    try rule.visit(lines[...], case: c, into: &out)
    try rule.finish(into: &out)
    return out
  }

  @Test func listedSuspensionsAndTheirBounds() throws {
    let lines = [
      Self.line("L1", "X9", "2024-04-30", seq: 0), Self.line("L2", "X9", "2024-05-01", seq: 1),
      Self.line("L3", "X9", "2024-05-31", seq: 2), Self.line("L4", "X9", "2024-06-01", seq: 3),
      Self.line("L5", "Z1", "2030-01-01", seq: 4), Self.line("L6", "D1", "2024-05-10", seq: 5),
    ]
    let found = try Self.run(lines, medType: "11")
    #expect(found.map(\.feedetlSN) == ["L2", "L3", "L5"])
    #expect(found.allSatisfy { $0.volaAmt == 800 && $0.sevDeg == "明确违规" && $0.insutype == "310" })
    #expect(found[2].volaCont.contains("终止期间(2024-06-01..)"))
    #expect(found[0].occurDate == "2024-05-01" && found[0].detail.map(\.volaAmt) == [800])
    // An emergency settlement (急救、抢救) is excepted.
    #expect(try Self.run(lines, medType: "1301").isEmpty)
  }

  @Test func theEffectivePointsRunOfTheLedger() throws {
    let dir = try TestSupport.tempDir("mi-audit-g02")
    defer { try? FileManager.default.removeItem(at: dir) }
    let ws = try Workspace.open(dir.appendingPathComponent("mi.db").path, create: true)
    var p = DoctorPoints(
      policy: PointsPolicy(suspendAt: 9, terminateAt: nil, suspendMonths: 1, map: ["A01": 9]), year: "2024")
    p.add(FindingRecord(ruleID: "A01", feedetlSN: "F1", bilgDrCodg: "D1", occurDate: "2024-05-09"), confirmed: true)
    let run = try PointsLedger(year: "2024", rules: "r", records: 1, outside: 0, rejected: 0, force: false)
      .post(ws, inputSHA256: "x", standings: p.standings())
    #expect(run.id == 1)
    let lines = [Self.line("L1", "D1", "2024-05-09", seq: 0), Self.line("L2", "D1", "2024-05-10", seq: 1)]
    let found = try Self.run(lines, medType: "11", workspace: ws)
    #expect(found.map(\.feedetlSN) == ["L2"])
    #expect(found[0].volaEvid.hasSuffix("points run 1 (2024)"))
  }

  @Test func confirmedListsOfTextAndRecords() throws {
    let dir = try TestSupport.tempDir("mi-audit-confirmed")
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("c.txt").path
    try Data(
      """
      # reviewed
      B01 F2

      {"rule_id":"D05","key":"S6"}
      {"kind":"finding","rule_id":"A01","sev_deg":"明确违规","feedetl_sn":"F1"}
      C01\tS3
      """.utf8
    ).write(to: URL(fileURLWithPath: path))
    var none: SHA256? = nil
    var list = try ConfirmedList.read(path, digest: &none)
    #expect(list.entries.count == 4)
    let hits = [
      FindingRecord(ruleID: "B01", feedetlSN: "F2"), FindingRecord(ruleID: "A01", feedetlSN: "F1"),
      FindingRecord(ruleID: "A01", feedetlSN: "F2"),
      // C01 S3 names a settlement: it confirms that rule's findings on the settlement's lines.
      FindingRecord(ruleID: "C01", setlID: "S3", feedetlSN: "F30"),
    ].map { list.confirms($0) }
    #expect(hits == [true, true, false, true])
    #expect(list.unmatched == 1)
  }
}
