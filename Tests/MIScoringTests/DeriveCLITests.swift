import Foundation
import MICore
import MITestSupport
import Testing

/// End to end through the built tools: derive a DIP catalog from a small history with `mi-score derive`, import it
/// with `mi-catalog import dip`, group a current year with `mi-group --dip`.
@Suite struct DeriveCLITests {
  /// Three years of history, the same every year (so the weighted means equal the yearly ones):
  /// - K35.800 + 47.0100: 10 cases at 10,000.00 (30 in all: core);
  /// - I10.x00, no operation: 10 cases at 5,000.00 (core, 保守治疗);
  /// - K35.900 + 51.2300 (手术): 2 cases at 8,000.00 (6 in all: below 15 → comprehensive K35_S).
  /// Pool mean per year = (100,000 + 50,000 + 16,000)/22 = 7,545.454545; 分值 = mean / M × 1000:
  /// K35.8_47.0100 = 220000/166 = 1325.3012; I10.x_C = 110000/166 = 662.6506; K35_S = 176000/166 = 1060.2410.
  static var history: String {
    var out = ""
    var n = 0
    for year in 2021...2023 {
      func add(_ dx: String, _ ops: String, _ cost: String) {
        n += 1
        out += #"{"setl_id":"H\#(n)","setl_time":"\#(year)-03-01 09:00:00","hosp_lv":"2","diag_codes":["\#(dx)"],"#
        out += #""oprn_codes":[\#(ops)],"medfee_sumamt":\#(cost)}"# + "\n"
      }
      for _ in 0..<10 {
        add("K35.800", #""47.0100""#, "10000.00")
        add("I10.x00", "", "5000.00")
      }
      for _ in 0..<2 { add("K35.900", #""51.2300""#, "8000.00") }
    }
    return out
  }

  /// The current year: one case per outcome.
  static let current = """
    {"setl_id":"C1","diag_codes":["K35.800"],"oprn_codes":["47.0100"],"medfee_sumamt":9000.00}
    {"setl_id":"C2","diag_codes":["I10.x00","E11.900"],"oprn_codes":[],"medfee_sumamt":4000.00}
    {"setl_id":"C3","diag_codes":["K35.900"],"oprn_codes":["51.2300"],"medfee_sumamt":7000.00}
    {"setl_id":"C4","diag_codes":["K35.900"],"oprn_codes":["99.1000"],"medfee_sumamt":3000.00}

    """

  @Test func deriveImportGroup() throws {
    guard TestSupport.toolsBuilt("mi-score", "mi-catalog", "mi-group") else { return }
    let dir = try TestSupport.tempDir("dip-e2e")
    try Self.history.write(to: dir.appendingPathComponent("history.ndjson"), atomically: true, encoding: .utf8)
    try Self.current.write(to: dir.appendingPathComponent("current.ndjson"), atomically: true, encoding: .utf8)
    let classes = TestSupport.examplesDir.appendingPathComponent("dip/proc-class.tsv").path
    let derive = try TestSupport.shell(
      """
      mi-catalog import proc-class '\(classes)' --name pc --db mi.db 2>/dev/null &&
      mi-score derive --method dip --proc-class pc --db mi.db -o cat.ndjson history.ndjson &&
      mi-score derive --method dip --proc-class pc --db mi.db history.ndjson 2>/dev/null > again.ndjson &&
      cmp cat.ndjson again.ndjson
      """, in: dir)
    #expect(derive.status == 0, "\(derive.err)")
    #expect(derive.err.contains("mi-score: pool mean M 7545.45 yuan; score scale ×1000\n"))
    #expect(derive.err.hasSuffix("mi-score: read 66, written 5, rejected 0\n"))
    let catalog = try String(contentsOf: dir.appendingPathComponent("cat.ndjson"), encoding: .utf8)
    let lines = catalog.split(separator: "\n").map(String.init)
    // A version entry, three groups, and the one hospital level's coefficient (all cases level 2: 1.0000).
    #expect(lines.count == 5)
    #expect(lines[4] == #"{"kind":"catalog-entry","catalog":"dip","entry":"hosp-coef","hosp_lv":"2","coef":1.0000}"#)
    #expect(
      lines[1].contains(
        #""dip_code":"I10.x_C","dip_name":"I10.x 保守治疗","dip_kind":"core","dx_key":"I10.x","oprn_expr":"","score":662.6506,"case_cnt":30,"mean_amt":5000.00,"cv":0.0000"#
      ))
    #expect(lines[2].contains(#""dip_code":"K35.8_47.0100","#) && lines[2].contains(#""score":1325.3012"#))
    #expect(lines[3].contains(#""dip_code":"K35_S","#) && lines[3].contains(#""oprn_class":"相关手术","score":1060.2410"#))

    let group = try TestSupport.shell(
      """
      mi-catalog import dip cat.ndjson --name dip-t --proc-class pc --db mi.db 2>/dev/null &&
      mi-group --dip dip-t --db mi.db current.ndjson
      """, in: dir)
    #expect(group.status == 0, "\(group.err)")
    let out = group.out.split(separator: "\n").map(String.init)
    let tail = #","group_scheme":"dip-t","group_code":"#
    #expect(
      out[0].hasSuffix(
        tail
          + #""K35.8_47.0100","group_name":"K35.8 47.0100","group_status":"grouped","group_reason":"diagnosis + principal operation","dip_kind":"core"}"#
      ))
    #expect(out[1].contains(#""group_code":"I10.x_C""#) && out[1].contains(#""group_reason":"conservative""#))
    #expect(out[2].contains(#""group_code":"K35_S""#) && out[2].contains(#""dip_kind":"comprehensive""#))
    #expect(
      out[3].hasSuffix(
        tail
          + #"null,"group_name":null,"group_status":"ungroupable","group_reason":"no core group for K35.9 with operation 99.1000, and no comprehensive group K35 × 治疗性操作组","dip_kind":null}"#
      ))
    #expect(group.err == "mi-group: read 4, written 4, rejected 0; 入组率 75.00%\n")

    // --import stores the same catalog directly; grouping with it gives the same bytes.
    let direct = try TestSupport.shell(
      """
      mi-score derive --proc-class pc --import dip-d --db mi.db history.ndjson 2>/dev/null &&
      mi-group --dip dip-d --db mi.db current.ndjson 2>/dev/null | sed 's/"dip-d"/"dip-t"/'
      """, in: dir)
    #expect(direct.status == 0 && direct.out == group.out, "\(direct.err)")
  }

  @Test func hospitalLevelsFromTheRegistryWhenCasesHaveNone() throws {
    guard TestSupport.toolsBuilt("mi-score", "mi-catalog") else { return }
    let dir = try TestSupport.tempDir("dip-levels")
    try Self.history.write(to: dir.appendingPathComponent("history.ndjson"), atomically: true, encoding: .utf8)
    // The same history without hosp_lv: the hospital's code instead, and the registry gives its level.
    let bare = Self.history.replacingOccurrences(of: #""hosp_lv":"2""#, with: #""fixmedins_code":"H1""#)
    try bare.write(to: dir.appendingPathComponent("bare.ndjson"), atomically: true, encoding: .utf8)
    try "fixmedins_code,fixmedins_name,hosp_lv,admdvs,payment,start_date\nH1,示例医院,2,331100,DIP,2021-01-01\n".write(
      to: dir.appendingPathComponent("hospitals.csv"), atomically: true, encoding: .utf8)
    let classes = TestSupport.examplesDir.appendingPathComponent("dip/proc-class.tsv").path
    let run = try TestSupport.shell(
      """
      mi-catalog import proc-class '\(classes)' --name pc --db mi.db 2>/dev/null &&
      mi-catalog import hospitals hospitals.csv --name reg --db mi.db 2>/dev/null &&
      mi-score derive --proc-class pc --db mi.db history.ndjson 2>/dev/null > with-level.ndjson &&
      mi-score derive --proc-class pc --db mi.db --hospitals reg bare.ndjson 2>/dev/null > registry.ndjson &&
      mi-score derive --proc-class pc --db mi.db bare.ndjson 2>/dev/null > none.ndjson &&
      cmp with-level.ndjson registry.ndjson && grep -c hosp-coef with-level.ndjson none.ndjson
      """, in: dir)
    #expect(run.status == 0, "\(run.err)")
    #expect(run.out == "with-level.ndjson:1\nnone.ndjson:0\n")
  }

  @Test func drgDeriveAndImport() throws {
    guard TestSupport.toolsBuilt("mi-score", "mi-catalog") else { return }
    let dir = try TestSupport.tempDir("drg-e2e")
    // GB11 at 20,000 and GZ13 at 5,000 (one each): M = 12,500 → RW 1.6000 and 0.4000.
    try """
    {"setl_time":"2023-05-01","medfee_sumamt":20000.00,"group_code":"GB11","group_status":"grouped"}
    {"setl_time":"2023-05-02","medfee_sumamt":5000.00,"group_code":"GZ13","group_status":"grouped"}

    """.write(to: dir.appendingPathComponent("h.ndjson"), atomically: true, encoding: .utf8)
    try "drg_code,weight\nGB11,1.6\n".write(to: dir.appendingPathComponent("w.csv"), atomically: true, encoding: .utf8)
    let run = try TestSupport.shell(
      """
      mi-score derive --method drg --year-weights 1 h.ndjson 2>/dev/null | grep '"entry":"weight"' &&
      mi-score derive --method drg --year-weights 1 --import drg-d --db mi.db h.ndjson 2>/dev/null &&
      mi-catalog import drg-weights w.csv --name drg-b --db mi.db
      """, in: dir)
    #expect(run.status == 0, "\(run.err)")
    #expect(
      run.out == """
        {"kind":"catalog-entry","catalog":"drg-weights","entry":"weight","drg_code":"GB11","drg_name":"","weight":1.6000,"case_cnt":1,"mean_amt":20000.00,"cv":0.0000}
        {"kind":"catalog-entry","catalog":"drg-weights","entry":"weight","drg_code":"GZ13","drg_name":"","weight":0.4000,"case_cnt":1,"mean_amt":5000.00,"cv":0.0000}

        """)
    #expect(run.err.hasPrefix("mi-catalog: imported 1 DRG weights as 'drg-b'"))
  }

  @Test func badHistoryLinesNameFileLineAndField() throws {
    guard TestSupport.toolsBuilt("mi-score", "mi-catalog") else { return }
    let dir = try TestSupport.tempDir("dip-bad")
    try """
    {"setl_time":"2023-05-01","diag_codes":["K35.800"],"medfee_sumamt":100.00}
    {"setl_time":"2023-05-02","diag_codes":["K35.800"]}
    {"setl_time":"2023-05-03","diag_codes":["K35.800"],"medfee_sumamt":200.00}

    """.write(to: dir.appendingPathComponent("h.ndjson"), atomically: true, encoding: .utf8)
    let stop = try TestSupport.shell("mi-score derive --year-weights 1 --core-threshold 1 h.ndjson", in: dir)
    #expect(stop.status == 1)
    #expect(
      stop.err == """
        mi-score: h.ndjson:2: field "medfee_sumamt": missing total cost
        mi-score: read 2, written 0, rejected 0; stopped by the error above

        """)
    let go = try TestSupport.shell(
      "mi-score derive --year-weights 1 --core-threshold 1 --rejects rej.ndjson h.ndjson >/dev/null", in: dir)
    #expect(go.status == 0, "\(go.err)")
    #expect(go.err.hasSuffix("mi-score: read 3, written 2, rejected 1\n"))
    let rej = try String(contentsOf: dir.appendingPathComponent("rej.ndjson"), encoding: .utf8)
    #expect(rej.contains(#""reject_reason":"h.ndjson:2: field \"medfee_sumamt\": missing total cost""#))
  }
}
