import Foundation
import MICore
import MITestSupport
import Testing

@testable import MIAudit

/// `mi-audit summary`: totals against a hand sum, and the adjustments mi-clear reads.
@Suite struct SummaryTests {
  /// Six findings of two institutions (H1 in pool 310, H2 without insutype):
  /// - H1 B01 明确违规 2024-03-05 12.34 and 2024-03-20 0.66 → B01 in March: 2 findings, 13.00;
  /// - H1 C01 明确违规 2024-04-01 100.00, doctor D1;
  /// - H1 D05 可疑 2024-04-09 2,500.10 (a case finding, no doctor);
  /// - H2 A01 明确违规 2024-04-30 7.77, doctor D2;
  /// - H2 H05 可疑 2024-05-02 none (a review list: no amount).
  /// Total: 6 findings, 12.34 + 0.66 + 100.00 + 2,500.10 + 7.77 = 2,620.87; 明确违规 4 findings 120.77, 可疑 2
  /// 2,500.10.
  static let findings = [
    FindingRecord(
      ruleID: "B01", ruleName: "超标准收费", volaAmt: 1234, feedetlSN: "F1", fixmedinsCode: "H1", bilgDrCodg: "D1",
      insutype: "310", occurDate: "2024-03-05"),
    FindingRecord(
      ruleID: "C01", ruleName: "限定频次", amtMode: "excess", volaAmt: 10000, feedetlSN: "F2", fixmedinsCode: "H1",
      bilgDrCodg: "D1", insutype: "310", occurDate: "2024-04-01"),
    FindingRecord(
      ruleID: "B01", ruleName: "超标准收费", volaAmt: 66, feedetlSN: "F3", fixmedinsCode: "H1", insutype: "310",
      occurDate: "2024-03-20"),
    FindingRecord(
      ruleID: "D05", ruleName: "分解住院", sevDeg: FindingRecord.suspect, amtMode: "line", volaAmt: 250010, setlID: "S1",
      fixmedinsCode: "H1", insutype: "310", occurDate: "2024-04-09"),
    FindingRecord(
      ruleID: "A01", ruleName: "限定性别", volaAmt: 777, feedetlSN: "F4", fixmedinsCode: "H2", bilgDrCodg: "D2",
      occurDate: "2024-04-30"),
    FindingRecord(
      ruleID: "H05", ruleName: "高额病例核查", sevDeg: FindingRecord.suspect, amtMode: "none", setlID: "S2",
      fixmedinsCode: "H2", occurDate: "2024-05-02"),
  ]

  static func text(_ bytes: [UInt8]) -> [String] {
    String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
  }

  @Test func totalsByRuleAndMonthMatchTheHandSum() {
    var s = FindingSummary(by: [.rule, .month])
    for f in Self.findings { s.add(f) }
    var out: [UInt8] = []
    #expect(s.write(into: &out) == 6)
    let t = #""explicit_cnt":"#
    #expect(
      Self.text(out) == [
        #"{"kind":"audit_summary","by":"rule,month","rule_id":"A01","rule_name":"限定性别","month":"2024-04","finding_cnt":1,"vola_amt":7.77,"#
          + t + #"1,"explicit_amt":7.77,"suspect_cnt":0,"suspect_amt":0.00}"#,
        #"{"kind":"audit_summary","by":"rule,month","rule_id":"B01","rule_name":"超标准收费","month":"2024-03","finding_cnt":2,"vola_amt":13.00,"#
          + t + #"2,"explicit_amt":13.00,"suspect_cnt":0,"suspect_amt":0.00}"#,
        #"{"kind":"audit_summary","by":"rule,month","rule_id":"C01","rule_name":"限定频次","month":"2024-04","finding_cnt":1,"vola_amt":100.00,"#
          + t + #"1,"explicit_amt":100.00,"suspect_cnt":0,"suspect_amt":0.00}"#,
        #"{"kind":"audit_summary","by":"rule,month","rule_id":"D05","rule_name":"分解住院","month":"2024-04","finding_cnt":1,"vola_amt":2500.10,"#
          + t + #"0,"explicit_amt":0.00,"suspect_cnt":1,"suspect_amt":2500.10}"#,
        #"{"kind":"audit_summary","by":"rule,month","rule_id":"H05","rule_name":"高额病例核查","month":"2024-05","finding_cnt":1,"vola_amt":0.00,"#
          + t + #"0,"explicit_amt":0.00,"suspect_cnt":1,"suspect_amt":0.00}"#,
        #"{"kind":"audit_summary","by":"total","finding_cnt":6,"vola_amt":2620.87,"#
          + t + #"4,"explicit_amt":120.77,"suspect_cnt":2,"suspect_amt":2500.10}"#,
      ])
  }

  @Test func groupsWithoutAValueComeFirstAndEveryGroupAddsUpToTheTotal() {
    var s = FindingSummary(by: [.bilgDrCodg])
    for f in Self.findings { s.add(f) }
    #expect(s.sortedKeys == [[nil], ["D1"], ["D2"]])
    #expect(s.groups[[nil]]?.findings == 3)
    #expect(s.groups.values.reduce(0) { $0 + $1.volaAmt } == s.total.volaAmt)
    #expect(s.total.volaAmt == 262087)
  }

  @Test func byParsesAndRefuses() throws {
    #expect(try FindingSummary.Dimension.parse("rule,fixmedins_code,bilg_dr_codg,month").get().count == 4)
    #expect(
      throws: MIError.usage("--by: unknown dimension 'doctor' (known: rule, fixmedins_code, bilg_dr_codg, month)")
    ) {
      try FindingSummary.Dimension.parse("rule,doctor").get()
    }
  }

  @Test func adjustmentsDeductTheCertainFindingsOfThePeriod() {
    var a = AdjustmentSummary(period: "2024", includeSuspect: false)
    for f in Self.findings { a.add(f) }
    var out: [UInt8] = []
    #expect(a.write(into: &out) == 2)
    #expect(
      Self.text(out) == [
        #"{"fixmedins_code":"H1","pool":"310","period":"2024","adj_type":"deduction","adj_amt":113.00,"reason":"审核扣款 mi-audit: B01 超标准收费 2 条 13.00; C01 限定频次 1 条 100.00"}"#,
        #"{"fixmedins_code":"H2","period":"2024","adj_type":"deduction","adj_amt":7.77,"reason":"审核扣款 mi-audit: A01 限定性别 1 条 7.77"}"#,
      ])
    #expect(a.counts == AdjustmentSummary.Counts(deducted: 4, deductedAmt: 12077, suspect: 2, outside: 0, noAmount: 0))
    // With the 可疑 ones, D05's 2,500.10 joins H1's line; H05 has no amount.
    var all = AdjustmentSummary(period: "2024-04", includeSuspect: true)
    for f in Self.findings { all.add(f) }
    #expect(
      all.counts == AdjustmentSummary.Counts(deducted: 3, deductedAmt: 260787, suspect: 0, outside: 3, noAmount: 0))
  }
}
