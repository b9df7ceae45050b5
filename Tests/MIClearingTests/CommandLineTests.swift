import Foundation
import MITestSupport
import Testing

/// The built `mi-clear` on the small year of `FullYearTests`: posting, the ledger, settle against the posted month,
/// and the error paths with their exit statuses.
@Suite struct CommandLineTests {
  /// The params of `FullYearTests.params()` as a TOML file.
  static let params = """
    [clearing]
    point_mode = "floating"
    carve_out_hv = true
    deposit_return = "by-assessment"
    [clearing.assessment_coef]
    H2 = 0.90
    [clearing.surplus_bands]
    "0.10" = 1.0
    "inf" = 0.6
    [clearing.overspend_bands]
    "0.10" = 0.5
    "inf" = 0.0
    [clearing.pools.310]
    budget = 43800
    initial_point_value = 9
    pay_ratio = 0.8
    [clearing.pools.390]
    budget = 25300
    initial_point_value = 11

    """

  /// The adjustments of `FullYearTests.adjustments` as NDJSON.
  static let adjustments = """
    {"fixmedins_code":"H1","period":"2024-03","adj_type":"deduction","adj_amt":300.00,"reason":"审核扣款"}
    {"fixmedins_code":"H2","period":"2024","adj_type":"assessment","adj_amt":200.00}
    {"fixmedins_code":"H1","pool":"310","adj_type":"vbp_return","adj_amt":1000.00}
    {"fixmedins_code":"H3","pool":"390","adj_type":"special_case","adj_amt":1300.00}
    {"fixmedins_code":"H3","pool":"390","period":"2024-04","adj_type":"turnover_fund","adj_amt":500.00}

    """

  /// A directory with the cases, params and adjustments.
  static func workdir() throws -> URL {
    let dir = try TestSupport.tempDir("mi-clear")
    try (FullYearTests.cases.joined(separator: "\n") + "\n").write(
      to: dir.appendingPathComponent("cases.ndjson"), atomically: true, encoding: .utf8)
    try params.write(to: dir.appendingPathComponent("p.toml"), atomically: true, encoding: .utf8)
    try adjustments.write(to: dir.appendingPathComponent("adj.ndjson"), atomically: true, encoding: .utf8)
    return dir
  }

  @Test func postTwiceSettleOnce() throws {
    let dir = try CommandLineTests.workdir()
    let run = try TestSupport.shell(
      """
      set -e
      mi-catalog init --db mi.db 2>/dev/null
      for i in 1 2; do
        mi-clear prepay --month 2024-03 --params p.toml --adjustments adj.ndjson --post --db mi.db cases.ndjson > p$i
      done
      cmp p1 p2
      mi-clear ledger --db mi.db > ledger
      mi-clear settle --year 2024 --params p.toml --adjustments adj.ndjson --db mi.db cases.ndjson > s
      grep -c '"effective":true' ledger
      grep '"fixmedins_code":"H1"' p1
      grep '"pool":"390","fixmedins_code":"H1"' s
      grep '"pool":"310","fixmedins_code":"H2"' s
      """, in: dir)
    #expect(run.status == 0, "\(run.err)")
    let lines = run.out.split(separator: "\n").map(String.init)
    #expect(lines.first == "1")
    // March: H1 390's prepayment 6,540 and deposit 360 (FullYearTests.marchPrepayment).
    #expect(lines[1].contains(#""prepaid_amt":6540.00,"quality_deposit":0.0500,"deposit_amt":360.00"#))
    // The year: H1 390 payable 6,960, minus the one effective March prepayment 6,540, deposit 360 withheld and
    // returned in full (coefficient 1) → 420.00.
    #expect(lines[2].contains(#""payable_amt":6960.00,"prepaid_amt":6540.00"#))
    #expect(lines[2].contains(#""deposit_return_amt":360.00,"clearing_amt":420.00"#))
    // H2 310 had no prepayment: clearing = payable 22,250.00; 结算率 0.7741.
    #expect(lines[3].contains(#""clearing_amt":22250.00,"settle_ratio":0.7741"#))
    #expect(run.err.contains("posted run 2"))
  }

  @Test func errorsStopBeforeWriting() throws {
    let dir = try CommandLineTests.workdir()
    try CommandLineTests.params.replacingOccurrences(of: "budget = 25300\n", with: "").write(
      to: dir.appendingPathComponent("nobudget.toml"), atomically: true, encoding: .utf8)
    try #"{"fixmedins_code":"H1","adj_type":"deduction","adj_amt":"1.234"}"#.write(
      to: dir.appendingPathComponent("bad.ndjson"), atomically: true, encoding: .utf8)
    let noBudget = try TestSupport.shell(
      "mi-clear settle --year 2024 --params nobudget.toml --no-ledger cases.ndjson", in: dir)
    // A params file named on the command line is usage (exit 2); a stored version would be reference data (3).
    #expect(noBudget.status == 2)
    #expect(noBudget.out.isEmpty)
    #expect(noBudget.err.contains(#"key "clearing.pools."390".budget": missing"#))
    let badAdj = try TestSupport.shell(
      "mi-clear settle --year 2024 --params p.toml --no-ledger --adjustments bad.ndjson cases.ndjson", in: dir)
    #expect(badAdj.status == 1)
    #expect(badAdj.out.isEmpty)
    #expect(badAdj.err.contains(#"bad.ndjson:1: field "adj_amt": expected an amount in yuan"#))
    let noPoints = try TestSupport.shell(
      #"echo '{"fixmedins_code":"H1","insutype":"310","setl_time":"2024-01-02 00:00:00","hifp_pay":1}' | "#
        + "mi-clear settle --year 2024 --params p.toml --no-ledger", in: dir)
    #expect(noPoints.status == 1)
    #expect(noPoints.err.contains(#"-:1: field "points": missing"#))
    let badMonth = try TestSupport.shell("mi-clear prepay --month 2024-13 --params p.toml cases.ndjson", in: dir)
    #expect(badMonth.status == 2)
    try (CommandLineTests.params + "carve_out = true\n").write(
      to: dir.appendingPathComponent("typo.toml"), atomically: true, encoding: .utf8)
    let typo = try TestSupport.shell("mi-clear settle --year 2024 --params typo.toml --no-ledger cases.ndjson", in: dir)
    #expect(typo.status == 2)
    #expect(typo.err.contains(#"key "clearing.pools."390".carve_out": unknown key"#))
  }

  /// A full disk exits 4; a reader that goes away (`| head -1`) ends quietly with 0; the benefit simulation writes
  /// old and new amounts per case, then per hospital.
  @Test func outputsAndBenefit() throws {
    let dir = try CommandLineTests.workdir()
    let policy = TestSupport.examplesDir.appendingPathComponent("benefit-policy.toml").path
    let cases = """
      {"setl_id":"1","fixmedins_code":"H2","hosp_lv":"2","insutype":"390","med_type":"21","hifp_pay":7000.00,"inscp_scp_amt":10000.00}
      {"setl_id":"2","fixmedins_code":"H3","hosp_lv":"3","insutype":"390","med_type":"21","hifp_pay":5000.00,"inscp_scp_amt":10000.00}
      {"setl_id":"3","fixmedins_code":"H3","hosp_lv":"3","insutype":"390","med_type":"11","hifp_pay":20.00,"inscp_scp_amt":100.00}

      """
    try cases.write(to: dir.appendingPathComponent("b.ndjson"), atomically: true, encoding: .utf8)
    let run = try TestSupport.shell(
      """
      mi-clear settle --year 2024 --params p.toml --no-ledger cases.ndjson > /dev/full 2> full.err
      echo "full $?"
      { mi-clear benefit --policy \(policy) b.ndjson; echo "head $?" > head.st; } | head -1 > /dev/null
      cat head.st
      mi-clear benefit --policy \(policy) --by-hospital b.ndjson
      """, in: dir)
    let lines = run.out.split(separator: "\n").map(String.init)
    #expect(lines[0] == "full 4")
    #expect(lines[1] == "head 0")
    // 二级: (10,000 − 400) × 0.72 = 6,912.00; 三级: (10,000 − 800) × 0.60 = 5,520.00; 三级 普通门诊: 0.
    #expect(
      lines[2].contains(
        #""fixmedins_code":"H2","insutype":"390","cases":1,"unmatched_cases":0,"fund_old_amt":7000.00,"fund_new_amt":6912.00,"fund_diff_amt":-88.00"#
      ))
    #expect(
      lines[3].contains(
        #""fixmedins_code":"H3","insutype":"390","cases":2,"unmatched_cases":0,"fund_old_amt":5020.00,"fund_new_amt":5520.00,"fund_diff_amt":500.00"#
      ))
    #expect(lines[4].contains(#""kind":"benefit-total""#) && lines[4].contains(#""fund_diff_amt":412.00"#))
    #expect(run.err.contains("mi-clear: read 3, written 3, rejected 0; no rule 0"))
  }
}
