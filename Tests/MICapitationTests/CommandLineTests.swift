import Foundation
import MICore
import MITestSupport
import Testing

/// A small year computed by hand, run through the built `mi-capita` (prepay posted twice, then settle).
///
/// Settlements (pool 310-general, admdvs 331100): H1 300.00 (special 50.00, Jan) and 200.00 (Feb); H2 400.00 (Jan),
/// 100.00 and its refund −100.00 (Feb); P4 treated in 330100 for 150.00 (R); P5 insured in 330100 (outside).
/// F_H1 = 450.00, S_H1 = 50.00, F_H2 = 400.00 → F = 850.00, S = 50.00, R = 150.00, A = 1,050.00, B = 1,000.00:
/// X = 50 × 0.5 = 25.00, T = 1000 − 150 − 50 + 25 = 825.00; N = 4 (P1–P4), P = 400, v = 2.062500.
/// H1: 82,500 fen × 450/850 = 43,676.47 → floor 43,676; H2: 38,823.53 → 38,823, and the fen left goes to the larger
/// remainder (.53): 388.24. Prepaid (ledger): H1 270.00 + 180.00 = 450.00, H2 360.00 + 0.00 = 360.00.
/// Clearing: H1 436.76 + 50.00 − 450.00 − 10.00 (deduction) = 26.76; H2 388.24 − 360.00 = 28.24.
@Suite struct CommandLineTests {
  static let settlements = [
    #"{"setl_id":"1","psn_no":"P1","fixmedins_code":"H1","insutype":"310","med_type":"11","insuplc_admdvs":"331100","fix_blng_admdvs":"331100","setl_time":"2024-01-10 09:00:00","hifp_pay":300.00,"special_amt":50.00}"#,
    #"{"setl_id":"2","psn_no":"P2","fixmedins_code":"H1","insutype":"310","med_type":"11","insuplc_admdvs":"331100","fix_blng_admdvs":"331100","setl_time":"2024-02-10 09:00:00","hifp_pay":200.00,"special_amt":0}"#,
    #"{"setl_id":"3","psn_no":"P2","fixmedins_code":"H2","insutype":"310","med_type":"11","insuplc_admdvs":"331100","fix_blng_admdvs":"331100","setl_time":"2024-01-15 09:00:00","hifp_pay":400.00}"#,
    #"{"setl_id":"4","psn_no":"P3","fixmedins_code":"H2","insutype":"310","med_type":"11","insuplc_admdvs":"331100","fix_blng_admdvs":"331100","setl_time":"2024-02-01 09:00:00","hifp_pay":100.00}"#,
    #"{"setl_id":"5","psn_no":"P3","fixmedins_code":"H2","insutype":"310","med_type":"11","insuplc_admdvs":"331100","fix_blng_admdvs":"331100","setl_time":"2024-02-02 09:00:00","hifp_pay":-100.00,"refd_setl_flag":"1","init_setl_id":"4"}"#,
    #"{"setl_id":"6","psn_no":"P4","fixmedins_code":"X9","insutype":"310","med_type":"11","insuplc_admdvs":"331100","fix_blng_admdvs":"330100","setl_time":"2024-01-20 09:00:00","hifp_pay":150.00}"#,
    #"{"setl_id":"7","psn_no":"P5","fixmedins_code":"H1","insutype":"310","med_type":"11","insuplc_admdvs":"330100","fix_blng_admdvs":"331100","setl_time":"2024-01-21 09:00:00","hifp_pay":999.00}"#,
  ]

  static let params = """
    [capitation]
    pool_admdvs = "331100"
    holidays = ["2025-02-10"]
    [capitation.pools."310-general"]
    budget = 1000.00
    share_ratio = 0.5
    prepay_ratio = 0.9

    """

  /// The raw JSON text of every top-level field of an output line.
  func fields(_ line: String) throws -> [String: String] {
    try TestSupport.withRecord(line) { (s: RecordScanner) -> [String: String] in
      var out: [String: String] = [:]
      for i in s.members.indices { out[s.key(i)] = String(decoding: s.rawValue(i), as: UTF8.self) }
      return out
    }
  }

  /// A directory with the settlements, the params and one deduction.
  func setUp() throws -> URL {
    let dir = try TestSupport.tempDir("mi-capita")
    try (Self.settlements.joined(separator: "\n") + "\n").write(
      to: dir.appendingPathComponent("opt.ndjson"), atomically: true, encoding: .utf8)
    try Self.params.write(to: dir.appendingPathComponent("cap.toml"), atomically: true, encoding: .utf8)
    try #"{"fixmedins_code":"H1","adj_amt":10.00,"adj_type":"deduction","reason":"审核扣款"}"#.appending("\n").write(
      to: dir.appendingPathComponent("adj.ndjson"), atomically: true, encoding: .utf8)
    return dir
  }

  @Test func prepayTwiceThenSettle() throws {
    let dir = try setUp()
    let run = try TestSupport.shell(
      """
      set -e
      mi-catalog init --db ws.db 2>/dev/null
      mi-capita prepay --month 2024-01 --params cap.toml --db ws.db --post opt.ndjson > jan.ndjson
      mi-capita prepay --month 2024-01 --params cap.toml --db ws.db --post opt.ndjson > /dev/null
      mi-capita prepay --month 2024-02 --params cap.toml --db ws.db --post opt.ndjson 2>/dev/null > /dev/null
      mi-capita settle --year 2024 --params cap.toml --db ws.db --adjustments adj.ndjson --draft-date 2025-02-07 opt.ndjson
      """, in: dir)
    #expect(run.status == 0, "\(run.err)")
    let lines = run.out.split(separator: "\n").map(String.init)
    #expect(lines.count == 3)
    let pool = try fields(lines[0])
    #expect(pool["kind"] == "\"pool\"")
    #expect(pool["remote_amt"] == "150.00")
    #expect(pool["special_amt"] == "50.00")
    #expect(pool["ffs_amt"] == "1050.00")
    #expect(pool["share_amt"] == "25.00")
    #expect(pool["total_amt"] == "825.00")
    #expect(pool["persons"] == "4")
    #expect(pool["points"] == "400.0000")
    #expect(pool["point_value"] == "2.062500")
    #expect(pool["payout_amt"] == "875.00")
    #expect(pool["check"] == "\"pass\"")
    // Fri 2025-02-07 + 7 working days, Mon 02-10 a holiday: 11, 12, 13, 14, 17, 18, 19.
    #expect(pool["objection_deadline"] == "\"2025-02-19\"")
    let h1 = try fields(lines[1])
    #expect(h1["fixmedins_code"] == "\"H1\"")
    #expect(h1["points_amt"] == "436.76")
    #expect(h1["prepaid_amt"] == "450.00")
    #expect(h1["deduction_amt"] == "10.00")
    #expect(h1["clearing_amt"] == "26.76")
    let h2 = try fields(lines[2])
    #expect(h2["fixmedins_code"] == "\"H2\"")
    #expect(h2["points_amt"] == "388.24")
    #expect(h2["prepaid_amt"] == "360.00")
    #expect(h2["clearing_amt"] == "28.24")
    #expect(run.err.contains("mi-capita: read 7, written 3, rejected 0; 异地参保 1, adjustments 1"))
    let jan = try String(contentsOf: dir.appendingPathComponent("jan.ndjson"), encoding: .utf8)
    #expect(
      jan.contains(#""fixmedins_code":"H1","setl_cnt":1,"fund_amt":300.00,"prepay_ratio":0.9000,"prepay_amt":270.00"#))
  }

  @Test func errorsAndUsage() throws {
    let dir = try setUp()
    let usage = try TestSupport.shell("mi-capita settle --year 24 --params cap.toml opt.ndjson", in: dir)
    #expect(usage.status == 2)
    #expect(usage.err.contains("--year must be YYYY"))
    let bad = try TestSupport.shell(
      #"printf '{"psn_no":"P1","fixmedins_code":"H1","insutype":"310","med_type":"11","setl_time":"2024-01-01 00:00:00","hifp_pay":"x"}\n' | mi-capita settle --year 2024 --params cap.toml --prepaid none"#,
      in: dir)
    #expect(bad.status == 1)
    #expect(bad.err.contains(#"mi-capita: -:1: field "hifp_pay""#))
    let rejects = try TestSupport.shell(
      "(cat opt.ndjson; echo '{\"psn_no\":1}') | mi-capita settle --year 2024 --params cap.toml --prepaid none --rejects r.ndjson > /dev/null",
      in: dir)
    #expect(rejects.status == 0, "\(rejects.err)")
    #expect(rejects.err.contains("read 8, written 3, rejected 1"))
  }
}
