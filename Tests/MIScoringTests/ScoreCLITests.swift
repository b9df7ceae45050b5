import Foundation
import MICore
import MITestSupport
import Testing

@testable import MIScoring

/// A golden run of the built `mi-score` over a small hand-made month (DOMAIN.md §9.3 figures), through
/// `mi-catalog import params` and the approval and review loop of §2.4.
@Suite struct ScoreCLITests {
  /// The params of the month: §9.3 (point value 8, level 3 = 1.05), DIP20 linear high cases, a 20% quota so the
  /// small month has room, one hospital override and one per-diem category.
  static let params = """
    [scoring.dip]
    point_value = 8
    high_formula = "linear-2020"
    special_quota = 0.2

    [scoring.coef.level]
    "3" = 1.05

    [scoring.coef.hospital]
    H3 = 1.1

    [scoring.per_diem.rehab]
    name = "医疗康复"
    departments = ["A21"]
    min_los = 15
    max_days = 30
    daily_points = 50
    """

  /// The month: one line per class, each commented with its hand computation.
  static let cases = [
    // Normal: 1500 × 1.05 = 1575.0000; standard 1575 × 8 = 12,600.00; ratio 1.0000.
    #"{"setl_id":"S01","fixmedins_code":"H1","hosp_lv":"3","medfee_sumamt":12600.00,"group_scheme":"dip-test","group_code":"K35.8:47.0100","group_status":"grouped","dip_kind":"core"}"#,
    // Low at cost: 1575 × 5000/12600 = 625.0000.
    #"{"setl_id":"S02","fixmedins_code":"H1","hosp_lv":"3","medfee_sumamt":5000.00,"group_scheme":"dip-test","group_code":"K35.8:47.0100","group_status":"grouped","dip_kind":"core"}"#,
    // High, linear-2020: r 2.5 → 1500 × 1.5 = 2250.0000, candidate.
    #"{"setl_id":"S03","fixmedins_code":"H1","hosp_lv":"3","medfee_sumamt":31500.00,"group_scheme":"dip-test","group_code":"K35.8:47.0100","group_status":"grouped","dip_kind":"core"}"#,
    // Level 2 from the registry, coefficient 0.9 from the catalog: 1350.0000; standard 10,800.00.
    #"{"setl_id":"S04","fixmedins_code":"H2","medfee_sumamt":10800.00,"group_scheme":"dip-test","group_code":"K35.8:47.0100","group_status":"grouped","dip_kind":"core"}"#,
    // Hospital override 1.1: 1650.0000.
    #"{"setl_id":"S05","fixmedins_code":"H3","hosp_lv":"3","medfee_sumamt":13200.00,"group_scheme":"dip-test","group_code":"K35.8:47.0100","group_status":"grouped","dip_kind":"core"}"#,
    // 基层病种: no coefficient: 500.0000; standard 4,000.00.
    #"{"setl_id":"S06","fixmedins_code":"H1","hosp_lv":"3","medfee_sumamt":4000.00,"group_scheme":"dip-test","group_code":"I10.x:basic","group_status":"grouped","dip_kind":"basic"}"#,
    // Auxiliary subtype 1.2 from the catalog: 1500 × 1.05 × 1.2 = 1890.0000.
    #"{"setl_id":"S07","fixmedins_code":"H1","hosp_lv":"3","medfee_sumamt":15120.00,"group_scheme":"dip-test","group_code":"K35.8:47.0100","group_status":"grouped","dip_kind":"core","dip_aux":"age-65"}"#,
    // Ungrouped: 10,000 ÷ 8 × 0.7 = 875.0000.
    #"{"setl_id":"S08","fixmedins_code":"H1","hosp_lv":"3","medfee_sumamt":10000.00,"group_scheme":"dip-test","group_code":null,"group_status":"ungroupable"}"#,
    // Per diem: 40 days capped at 30 × 50 = 1500.0000.
    #"{"setl_id":"S09","fixmedins_code":"H1","hosp_lv":"3","medfee_sumamt":30000.00,"act_ipt_days":40,"dscg_caty":"A21","group_scheme":"dip-test","group_code":"K35.8:47.0100","group_status":"grouped","dip_kind":"core"}"#,
    // r 5.0: linear-2020 1500 × 4 = 6000.0000; approved later: at cost 1575 × 5 = 7875.0000.
    #"{"setl_id":"S10","fixmedins_code":"H1","hosp_lv":"3","medfee_sumamt":63000.00,"group_scheme":"dip-test","group_code":"K35.8:47.0100","group_status":"grouped","dip_kind":"core","points":1.0}"#,
    // Not in the catalog: rejected, naming the field.
    #"{"setl_id":"S11","fixmedins_code":"H1","hosp_lv":"3","medfee_sumamt":100.00,"group_scheme":"dip-test","group_code":"Z99.9","group_status":"grouped"}"#,
  ]

  /// The fields mi-score appends to each accepted case, in order (hand-computed above).
  static let expectedTails = [
    #""weight":1500.0000,"coef":1.0500,"case_class":"normal","points":1575.0000,"benchmark_amt":12600.00,"cost_ratio":1.0000,"score_rule":"dip:normal","score_params":"params-t"}"#,
    #""weight":1500.0000,"coef":1.0500,"case_class":"low","points":625.0000,"benchmark_amt":12600.00,"cost_ratio":0.3968,"score_rule":"dip:low:at-cost","score_params":"params-t"}"#,
    #""weight":1500.0000,"coef":1.0000,"case_class":"high","points":2250.0000,"benchmark_amt":12600.00,"cost_ratio":2.5000,"score_rule":"dip:high:linear-2020","special_candidate":true,"score_params":"params-t"}"#,
    #""weight":1500.0000,"coef":0.9000,"case_class":"normal","points":1350.0000,"benchmark_amt":10800.00,"cost_ratio":1.0000,"score_rule":"dip:normal","score_params":"params-t"}"#,
    #""weight":1500.0000,"coef":1.1000,"case_class":"normal","points":1650.0000,"benchmark_amt":13200.00,"cost_ratio":1.0000,"score_rule":"dip:normal","score_params":"params-t"}"#,
    #""weight":500.0000,"coef":1.0000,"case_class":"normal","points":500.0000,"benchmark_amt":4000.00,"cost_ratio":1.0000,"score_rule":"dip:normal","score_params":"params-t"}"#,
    #""weight":1500.0000,"coef":1.2600,"case_class":"normal","points":1890.0000,"benchmark_amt":15120.00,"cost_ratio":1.0000,"score_rule":"dip:normal","score_params":"params-t"}"#,
    #""weight":null,"coef":1.0000,"case_class":"ungrouped","points":875.0000,"benchmark_amt":null,"cost_ratio":null,"score_rule":"dip:ungrouped:factor-0.7000","score_params":"params-t"}"#,
    #""weight":1500.0000,"coef":1.0000,"case_class":"per-diem","points":1500.0000,"benchmark_amt":null,"cost_ratio":null,"score_rule":"dip:per-diem:rehab:capped-30d","score_params":"params-t"}"#,
    #""weight":1500.0000,"coef":1.0000,"case_class":"high","points":6000.0000,"benchmark_amt":12600.00,"cost_ratio":5.0000,"score_rule":"dip:high:linear-2020","special_candidate":true,"score_params":"params-t"}"#,
  ]

  /// Builds the workspace: the DIP catalog through MIGrouping's model, params and hospitals through mi-catalog.
  static func workspace() throws -> URL? {
    guard TestSupport.toolsBuilt("mi-score", "mi-catalog") else { return nil }
    let dir = try TestSupport.tempDir("mi-score")
    let db = dir.appendingPathComponent("mi.db").path
    let ws = try Workspace.open(db, create: true)
    // The catalog as MIGrouping's DIPCatalog stores it (kind dip): groups with score, aux:CODE and hosp-coef:LV.
    let entries = [
      CodeEntry(
        code: "K35.8:47.0100", name: "急性阑尾炎 腹腔镜阑尾切除术",
        attrs:
          #"{"kind":"catalog-entry","catalog":"dip","entry":"group","dip_code":"K35.8:47.0100","dip_kind":"core","dx_key":"K35.8","score":1500.0000}"#
      ),
      CodeEntry(
        code: "I10.x:basic", name: "高血压",
        attrs:
          #"{"kind":"catalog-entry","catalog":"dip","entry":"group","dip_code":"I10.x:basic","dip_kind":"basic","dx_key":"I10.x","score":500.0000}"#
      ),
      CodeEntry(
        code: "aux:age-65", name: "65岁以上",
        attrs:
          #"{"kind":"catalog-entry","catalog":"dip","entry":"aux","aux_code":"age-65","aux_type":"age","coef":1.2000}"#),
      CodeEntry(
        code: "hosp-coef:2", name: "医疗机构调节系数 2",
        attrs: #"{"kind":"catalog-entry","catalog":"dip","entry":"hosp-coef","hosp_lv":"2","coef":0.9000}"#),
    ]
    try ws.importSet(
      name: "dip-test", kind: "dip", source: "test", sha256: "0",
      meta: #"{"kind":"catalog-entry","catalog":"dip","entry":"version","scale":1000}"#, replace: false
    ) { db, id in
      try Workspace.insertCodes(db, set: id, entries)
      return entries.count
    }
    try params.write(to: dir.appendingPathComponent("params.toml"), atomically: true, encoding: .utf8)
    let hospitals = """
      fixmedins_code,fixmedins_name,hosp_lv,admdvs,payment,start_date
      H1,一院,3,331100,DIP,2024-01-01
      H2,二院,2,331100,DIP,2024-01-01
      H3,三院,3,331100,DIP,2024-01-01

      """
    try hospitals.write(to: dir.appendingPathComponent("hospitals.csv"), atomically: true, encoding: .utf8)
    try (cases.joined(separator: "\n") + "\n").write(
      to: dir.appendingPathComponent("cases.ndjson"), atomically: true, encoding: .utf8)
    let setup = try TestSupport.shell(
      """
      mi-catalog import params params.toml --name params-t --db mi.db &&
      mi-catalog import hospitals hospitals.csv --name hosp-t --db mi.db
      """, in: dir)
    #expect(setup.status == 0, "\(setup.err)")
    return dir
  }

  @Test func goldenMonth() throws {
    guard let dir = try Self.workspace() else { return }
    let run = try TestSupport.shell(
      "mi-score --params params-t --catalog dip-test --hospitals hosp-t --db mi.db --rejects rej.ndjson cases.ndjson",
      in: dir)
    #expect(run.status == 0, "\(run.err)")
    let lines = run.out.split(separator: "\n").map(String.init)
    #expect(lines.count == Self.expectedTails.count)
    for (i, (line, tail)) in zip(lines, Self.expectedTails).enumerated() {
      // Input fields first, byte for byte (an old "points" member replaced, not duplicated), then ours.
      var input = Self.cases[i]
      input = input.replacingOccurrences(of: #","points":1.0"#, with: "")
      #expect(line == String(input.dropLast()) + "," + tail)
    }
    #expect(
      run.err
        == "mi-score: read 11, written 10, rejected 1; normal 5, low 1, high 2, special 0, ungrouped 1, per-diem 1, "
        + "special candidates 2, points 18215.0000\n")
    let rejects = try String(contentsOf: dir.appendingPathComponent("rej.ndjson"), encoding: .utf8)
    #expect(
      rejects.contains(
        #""reject_reason":"cases.ndjson:11: field \"group_code\": 'Z99.9' is not in DIP catalog 'dip-test'""#))

    // Scoring the scored output again gives the same bytes (our fields are replaced, never duplicated).
    try run.stdout.write(to: dir.appendingPathComponent("scored.ndjson"))
    let again = try TestSupport.shell(
      "mi-score --params params-t --catalog dip-test --hospitals hosp-t --db mi.db scored.ndjson", in: dir)
    #expect(again.stdout == run.stdout)
  }

  @Test func reviewAndApprovalLoop() throws {
    guard let dir = try Self.workspace() else { return }
    let review = try TestSupport.shell(
      """
      mi-score --params params-t --catalog dip-test --hospitals hosp-t --db mi.db --rejects /dev/null cases.ndjson \
        > scored.ndjson && mi-score special --params params-t --quota --db mi.db scored.ndjson
      """, in: dir)
    #expect(review.status == 0, "\(review.err)")
    // 10 DIP discharges × 0.2 = quota 2; S10 (r 5.0) before S03 (r 2.5).
    #expect(
      review.out == """
        {"kind":"special-candidate","scheme":"dip","rank":1,"within_quota":true,"setl_id":"S10","fixmedins_code":"H1","group_code":"K35.8:47.0100","medfee_sumamt":63000.00,"benchmark_amt":12600.00,"cost_ratio":5.0000,"points":6000.0000}
        {"kind":"special-candidate","scheme":"dip","rank":2,"within_quota":true,"setl_id":"S03","fixmedins_code":"H1","group_code":"K35.8:47.0100","medfee_sumamt":31500.00,"benchmark_amt":12600.00,"cost_ratio":2.5000,"points":2250.0000}

        """)
    #expect(review.err.hasSuffix("DIP discharges 10, candidates 2, quota 2 (0.2000)\n"))
    // Approve S10: re-scored special, paid at cost 1575 × 5 = 7875.0000.
    let approved = try TestSupport.shell(
      """
      echo '{"setl_id":"S10"}' > approved.ndjson &&
      mi-score --params params-t --catalog dip-test --hospitals hosp-t --db mi.db --approved approved.ndjson \
        --rejects /dev/null cases.ndjson | grep '"S10"'
      """, in: dir)
    #expect(approved.out.contains(#""case_class":"special","points":7875.0000"#))
    #expect(approved.out.contains(#""score_rule":"dip:special:approved""#))
  }

  @Test func drgCasesThroughWeights97() throws {
    // DOMAIN.md §9.7 through the tool: a drg-weights version (RW 2.0), 尺度 100, point value 90, DRGX bands;
    // cost 45,000 → r 2.5 > K 2 → LinearAdd (add-coef) 300.0000 points.
    guard let dir = try Self.workspace() else { return }
    let ws = try Workspace.open(dir.appendingPathComponent("mi.db").path)
    let entries = [
      CodeEntry(
        code: "GB19", name: "示例病组",
        attrs: #"{"kind":"catalog-entry","catalog":"drg-weights","entry":"weight","drg_code":"GB19","weight":2.0000}"#)
    ]
    try ws.importSet(name: "drgw-test", kind: "drg-weights", source: "test", sha256: "0", replace: false) { db, id in
      try Workspace.insertCodes(db, set: id, entries)
      return 1
    }
    let run = try TestSupport.shell(
      """
      printf '[scoring.drg]\npoint_value = 90\npoints_per_weight = 100\nhigh_formula = "add-coef"\nhigh_bands = [{ below = 1, threshold = 3 }, { below = 2, threshold = 2.5 }, { below = 3, threshold = 2 }, { below = 5, threshold = 1.5 }, { threshold = 1.3 }]\n[scoring.coef.level]\n"3" = 1\n' > drg.toml &&
      mi-catalog import params drg.toml --name drg-p --db mi.db 2>/dev/null &&
      echo '{"setl_id":"D1","fixmedins_code":"H1","hosp_lv":"3","medfee_sumamt":45000.00,"group_scheme":"chs-drg-2.0","group_code":"GB19","group_status":"grouped"}' \
        | mi-score --params drg-p --weights drgw-test --db mi.db
      """, in: dir)
    #expect(run.status == 0, "\(run.err)")
    #expect(
      run.out
        == #"{"setl_id":"D1","fixmedins_code":"H1","hosp_lv":"3","medfee_sumamt":45000.00,"group_scheme":"chs-drg-2.0","group_code":"GB19","group_status":"grouped","weight":2.0000,"coef":1.0000,"case_class":"high","points":300.0000,"benchmark_amt":18000.00,"cost_ratio":2.5000,"score_rule":"drg:high:add-coef","special_candidate":true,"score_params":"drg-p"}"#
        + "\n")
  }

  @Test func importRefusesABadParamsFileNamingTheKey() throws {
    guard let dir = try Self.workspace() else { return }
    let run = try TestSupport.shell(
      """
      printf '[scoring.dip]\\npoint_value = 8\\nhigh_formula = "linear"\\n' > bad.toml
      mi-catalog import params bad.toml --name bad --db mi.db
      """, in: dir)
    // A file on the command line: usage, exit 2, with the key's line.
    #expect(run.status == 2)
    #expect(
      run.err
        == "mi-catalog: bad.toml:3: key \"scoring.dip.high_formula\": expected one of special-review, linear-2020, "
        + "add-coef, at-cost, deduct, cap, found \"linear\"\n")
    let typo = try TestSupport.shell(
      """
      printf '[scoring.dip]\\npoint_value = 8\\n[clearng]\\nbudget = 1\\n' > typo.toml
      mi-catalog import params typo.toml --name typo --db mi.db
      """, in: dir)
    #expect(typo.status == 2)
    #expect(typo.err.contains("typo.toml:4: key \"clearng.budget\": unknown key"))
  }
}
