import Foundation
import MICore
import MITestSupport
import Testing

@testable import MIGrouping

/// DIP matching rules (DOMAIN.md §1.3 "Matching a case", DIP3 pp.44–47): one test per fallback step.
@Suite struct DIPGroupingTests {
  /// A hand-made catalog for 急性阑尾炎 (K35.8) and its 类目 K35:
  /// - `K35.8_C` 保守治疗, 分值 600;
  /// - `K35.8_47.0100` 腹腔镜阑尾切除, 1000;
  /// - `K35.8_47.0100+54.2100` with 腹腔镜检查 as related operation, 1200;
  /// - `K35.8_47.0100+54.2100+88.7100` with two related operations, 1300;
  /// - `K35.8_47.0900+99.1000` (other appendectomy only with thrombolysis), 1100;
  /// - `K35.8_47.0100/47.0900+36.0600` alternatives (tie tests below use it), 1000;
  /// - comprehensive `K35_S` 相关手术组 900 and `K35_M` 内科诊疗组 500 (no 治疗性, no 诊断性 group).
  static func catalog(aux: [DIPAux] = []) throws -> DIPCatalog {
    var classes = ProcClassTable()
    _ = classes.add(code: "47.01", rawClass: "手术")
    _ = classes.add(code: "51.23", rawClass: "手术")
    _ = classes.add(code: "36.06", rawClass: "介入")
    _ = classes.add(code: "99.10", rawClass: "治疗性操作")
    _ = classes.add(code: "45.21", rawClass: "诊断性操作")
    func core(_ code: String, _ expr: String, _ score: Int64) throws -> DIPGroup {
      DIPGroup(
        code: code, name: code, kind: .core, dxKey: "K35.8", expression: try OperationExpression(parsing: expr),
        score: score * 10_000)
    }
    return DIPCatalog(
      name: "dip-t", scale: 1000,
      groups: [
        try core("K35.8_C", "", 600),
        try core("K35.8_47.0100", "47.0100", 1000),
        try core("K35.8_47.0100+54.2100", "47.0100+54.2100", 1200),
        try core("K35.8_47.0100+54.2100+88.7100", "47.0100+88.7100+54.2100", 1300),
        try core("K35.8_47.0900+99.1000", "47.0900+99.1000", 1100),
        try core("K35.8_ALT", "47.0200/47.0900+36.0600", 1000),
        DIPGroup(
          code: "K35_S", name: "K35 相关手术组", kind: .comprehensive, dxKey: "K35", opClass: .surgery, score: 9_000_000),
        DIPGroup(
          code: "K35_M", name: "K35 内科诊疗组", kind: .comprehensive, dxKey: "K35", opClass: .medical, score: 5_000_000),
      ],
      aux: aux, procClasses: classes)
  }

  /// Groups one case and returns (status, code, reason).
  func run(_ dx: [String], _ ops: [String], catalog: DIPCatalog? = nil) throws -> DIPResult {
    try DIPGrouper(catalog: catalog ?? DIPGroupingTests.catalog()).group(dx: dx, ops: ops, explain: true)
  }

  @Test func diagnosisKeys() {
    #expect(DIPCodes.subcategory("K35.800") == "K35.8")
    #expect(DIPCodes.subcategory("I10.x00x002") == "I10.x")
    #expect(DIPCodes.subcategory("K358") == "K35.8")
    #expect(DIPCodes.subcategory("K35") == nil)
    #expect(DIPCodes.category("K35.800") == "K35")
    #expect(DIPCodes.category("K3") == nil)
    #expect(DIPCodes.isSubcategoryKey("K35.8") && !DIPCodes.isSubcategoryKey("K35"))
    #expect(DIPCodes.isCategoryKey("K35") && !DIPCodes.isCategoryKey("K35.8"))
  }

  @Test func expressionParsing() throws {
    // `+` binds tighter than `/`: "A+B/C" = (A with B) or C; related operations are kept sorted.
    let e = try OperationExpression(parsing: "47.0100+88.7100+54.2100/47.0900")
    #expect(e.alternatives.count == 2)
    #expect(e.alternatives[0].principal == "47.0100")
    #expect(e.alternatives[0].related == ["54.2100", "88.7100"])
    #expect(e.alternatives[1] == .init(principal: "47.0900", related: []))
    #expect(e.text == "47.0100+54.2100+88.7100/47.0900")
    #expect(try OperationExpression(parsing: " ").alternatives.isEmpty)
    #expect(throws: FieldError.self) { try OperationExpression(parsing: "47.0100+/47.0900") }
  }

  @Test func fullMatch() throws {
    // Principal 47.0100 and exactly the related 54.2100: the group asking for exactly that.
    let r = try run(["K35.800"], ["47.0100", "54.2100"])
    #expect(r.status == "grouped" && r.group?.code == "K35.8_47.0100+54.2100" && r.reason == "full match")
    // Two related operations in any order: the two-related group, in full.
    let r2 = try run(["K35.800"], ["47.0100", "88.7100", "54.2100"])
    #expect(r2.group?.code == "K35.8_47.0100+54.2100+88.7100" && r2.reason == "full match")
  }

  @Test func mostRelatedOperations() throws {
    // 54.2100 and 88.7100 plus an extra 45.2100 that no group names: no full match; among the groups whose
    // related operations are all present, the one with most (2) wins over the one with 1.
    let r = try run(["K35.801"], ["47.0100", "54.2100", "45.2100", "88.7100"])
    #expect(r.group?.code == "K35.8_47.0100+54.2100+88.7100" && r.reason == "most related operations")
    // Only 54.2100 of the two and an unknown one: the one-related group.
    let r2 = try run(["K35.801"], ["47.0100", "54.2100", "45.2100"])
    #expect(r2.group?.code == "K35.8_47.0100+54.2100" && r2.reason == "most related operations")
  }

  @Test func diagnosisPlusPrincipalOperation() throws {
    // Related 99.1000 is not asked for by any 47.0100 group: the plain 主诊断+主操作 group.
    let r = try run(["K35.800"], ["47.0100", "99.1000"])
    #expect(r.group?.code == "K35.8_47.0100" && r.reason == "diagnosis + principal operation")
    // A repeated principal is not a related operation.
    let r2 = try run(["K35.800"], ["47.0100", "47.0100"])
    #expect(r2.group?.code == "K35.8_47.0100")
  }

  @Test func alternativesAndTies() throws {
    // "47.0200/47.0900+36.0600": 47.0200 alone matches the first alternative.
    #expect(try run(["K35.800"], ["47.0200"]).group?.code == "K35.8_ALT")
    // 47.0900 with 36.0600 matches the second alternative in full.
    let r = try run(["K35.800"], ["47.0900", "36.0600"])
    #expect(r.group?.code == "K35.8_ALT" && r.reason == "full match")
    // 47.0900 with 36.0600 and 99.1000: two groups match one related operation each (K35.8_ALT 1000 and
    // K35.8_47.0900+99.1000 1100): the tie goes to the higher 分值.
    let t = try run(["K35.800"], ["47.0900", "36.0600", "99.1000"])
    #expect(t.group?.code == "K35.8_47.0900+99.1000" && t.reason == "most related operations")
    // 47.0900 alone: its only groups need a related operation → falls to comprehensive (no 47.09 class → 内科).
    let c = try run(["K35.800"], ["47.0900"])
    #expect(c.group?.code == "K35_M")
  }

  @Test func conservative() throws {
    let r = try run(["K35.800", "I10.x00"], [])
    #expect(r.group?.code == "K35.8_C" && r.reason == "conservative" && r.group?.kind == .core)
  }

  @Test func comprehensiveByOperationClass() throws {
    // 51.2300 is 手术 but no K35.8 group has it: 相关手术组 of K35.
    let s = try run(["K35.900"], ["51.2300"])
    #expect(s.status == "grouped" && s.group?.code == "K35_S" && s.reason == "comprehensive 相关手术组")
    // 36.0600 is 介入, which counts as 手术 (DIP3 p.45).
    #expect(try run(["K35.900"], ["36.0600x001"]).group?.code == "K35_S")
    // A K35 code without a 亚目 key of its own still reaches its 类目's groups.
    #expect(try run(["K35"], []).group?.code == "K35_M")
    // An operation the dictionary does not list counts as 内科诊疗 (DOMAIN.md §1.3: "else 内科诊疗组").
    #expect(try run(["K35.900"], ["12.3456"]).group?.code == "K35_M")
  }

  @Test func ungroupableSaysWhy() throws {
    // 99.1000 is 治疗性操作, and K35 has no 治疗性操作组.
    let t = try run(["K35.900"], ["99.1000"])
    #expect(t.status == "ungroupable" && t.group == nil)
    #expect(t.reason == "no core group for K35.9 with operation 99.1000, and no comprehensive group K35 × 治疗性操作组")
    // 45.2100 is 诊断性操作: no 诊断性操作组 either (no fallback to another class).
    #expect(try run(["K35.900"], ["45.2100"]).status == "ungroupable")
    // A category the catalog does not know.
    let z = try run(["Z99.000"], [])
    #expect(z.reason == "no core group for Z99.0 with no operation, and no comprehensive group Z99 × 内科诊疗组")
  }

  @Test func invalidCases() throws {
    #expect(try run([], ["47.0100"]).status == "invalid")
    #expect(try run([""], []).reason == "no principal diagnosis (diag_codes is empty)")
    #expect(try run(["K3"], []).status == "invalid")
  }

  @Test func traceNamesEachStep() throws {
    let r = try run(["K35.800"], ["47.0100", "99.1000"])
    #expect(
      r.trace == [
        "principal diagnosis K35.800: 亚目 K35.8, 类目 K35", "core alternatives for K35.8: 7",
        "diagnosis + principal operation 47.0100: K35.8_47.0100",
      ])
  }

  @Test func auxiliaryTakesHighestCoefficient() throws {
    var infant = DIPAux(code: "AGE-1", name: "29天–1岁", type: "age", coef: 13_000)
    infant.minAgeDays = 29
    infant.maxAgeDays = 365
    var death = DIPAux(code: "SEV-D", name: "死亡", type: "severity", coef: 15_000)
    death.dischargeWays = ["5"]
    death.groups = ["K35.8_47.0100"]
    var tumour = DIPAux(code: "TUM-M", name: "转移", type: "tumour", coef: 14_000)
    tumour.secondaryDx = ["C78"]
    tumour.minLOS = 3
    let g = DIPGrouper(catalog: try DIPGroupingTests.catalog(aux: [infant, death, tumour]))
    // 100 days old: only the age band.
    var f = DIPGrouper.CaseFacts(ageDays: 100, los: 2, dischargeWay: "1")
    #expect(g.group(dx: ["K35.800"], ops: ["47.0100"], facts: f).aux?.code == "AGE-1")
    // Also died: both apply, 1.5 > 1.3.
    f.dischargeWay = "5"
    #expect(g.group(dx: ["K35.800"], ops: ["47.0100"], facts: f).aux?.code == "SEV-D")
    // Death entry is limited to K35.8_47.0100: in the 保守治疗 group only the age band applies.
    #expect(g.group(dx: ["K35.800"], ops: [], facts: f).aux?.code == "AGE-1")
    // Metastasis needs LOS ≥ 3: with 2 days it does not apply; with 3 it does (1.4 > 1.3).
    let adult = DIPGrouper.CaseFacts(ageDays: 40 * 365, los: 2)
    #expect(g.group(dx: ["K35.800", "C78.000"], ops: [], facts: adult).aux == nil)
    let adult3 = DIPGrouper.CaseFacts(ageDays: 40 * 365, los: 3)
    #expect(g.group(dx: ["K35.800", "C78.000"], ops: [], facts: adult3).aux?.code == "TUM-M")
    // Comprehensive groups take no auxiliary subtype (DIP3 pp.62–66: core groups only).
    #expect(g.group(dx: ["K35.900"], ops: ["51.2300"], facts: f).aux == nil)
  }

  @Test func catalogRoundTripsThroughReviewLines() throws {
    var aux = DIPAux(code: "AGE-1", name: "婴儿", type: "age", coef: 13_000)
    aux.minAgeDays = 29
    aux.maxAgeDays = 365
    var c = try DIPGroupingTests.catalog(aux: [aux])
    c.hospitalCoefs = ["1": 8_000, "3": 11_500]
    let lines = c.entryLines()
    var reader = DIPCatalogReader()
    let scanner = RecordScanner()
    for l in lines { try withScanned(scanner, l) { (s) throws(FieldError) in try reader.add(s) } }
    let back = try reader.catalog(name: "dip-t", procClasses: c.procClasses)
    #expect(back.groups == c.groups)
    #expect(back.aux == c.aux)
    #expect(back.hospitalCoefs == c.hospitalCoefs)
    #expect(back.entryLines() == lines)
    #expect(
      String(decoding: lines[1], as: UTF8.self)
        == #"{"kind":"catalog-entry","catalog":"dip","entry":"group","dip_code":"K35.8_47.0100","dip_name":"K35.8_47.0100","dip_kind":"core","dx_key":"K35.8","oprn_expr":"47.0100","score":1000.0000}"#
        + "\n")
  }

  @Test func catalogStoresAndLoads() throws {
    let dir = try TestSupport.tempDir("dip-store")
    let ws = try Workspace.open(dir.appendingPathComponent("mi.db").path, create: true)
    let c = try DIPGroupingTests.catalog()
    try c.store(in: ws, source: "test", sha256: "0", replace: false)
    let back = try DIPCatalog.load(ws, name: "dip-t")
    #expect(back.groups == c.groups && back.scale == 1000)
    #expect(back.procClasses.classOf("36.0600x001") == .surgery)
    #expect(back.procClasses.raw["36.06"] == "介入")
  }

  @Test func tableImportNamesLineAndColumn() throws {
    let dir = try TestSupport.tempDir("dip-table")
    let good = dir.appendingPathComponent("cat.csv")
    try """
    dip_code,dip_name,dip_kind,dx_key,oprn_expr,oprn_class,score
    K35.8_47.0100,急性阑尾炎 腹腔镜,core,K35.8,47.0100,,1318.1818
    K35_S,K35 相关手术组,comprehensive,K35,,手术,900

    """.write(to: good, atomically: true, encoding: .utf8)
    let groups = try DIPCatalogReader.readTable(good.path)
    #expect(groups.map(\.score) == [13_181_818, 9_000_000])
    #expect(groups[1].opClass == .surgery)
    let bad = dir.appendingPathComponent("bad.csv")
    try """
    dip_code,dip_kind,dx_key,score
    K35.8_C,core,K35.8,600
    K35_X,comprehensive,K35.8,500

    """.write(to: bad, atomically: true, encoding: .utf8)
    #expect {
      try DIPCatalogReader.readTable(bad.path)
    } throws: { e in
      (e as? MIError)?.message
        == "\(bad.path):3: field \"dx_key\": a comprehensive group needs a 3-character 类目 key, found \"K35.8\""
    }
  }

  @Test func enricherReplacesFieldsAndCountsRate() throws {
    let e = DIPEnricher(catalog: try DIPGroupingTests.catalog(), explain: false)
    var out: [UInt8] = []
    // An earlier run's fields are dropped, not duplicated; other fields stay byte for byte.
    let line =
      #"{"setl_id":"S1","diag_codes":["K35.800"],"oprn_codes":["47.0100"],"group_code":"OLD","x":1.50,"dip_aux":"A"}"#
    try TestSupport.withRecord(line) { s in try e.enrich(s, into: &out) }
    try TestSupport.withRecord(#"{"setl_id":"S2","diag_codes":["Z99.000"]}"#) { s in try e.enrich(s, into: &out) }
    let text = String(decoding: out, as: UTF8.self)
    #expect(
      text == #"""
        {"setl_id":"S1","diag_codes":["K35.800"],"oprn_codes":["47.0100"],"x":1.50,"group_scheme":"dip-t","group_code":"K35.8_47.0100","group_name":"K35.8_47.0100","group_status":"grouped","group_reason":"diagnosis + principal operation","dip_kind":"core"}
        {"setl_id":"S2","diag_codes":["Z99.000"],"group_scheme":"dip-t","group_code":null,"group_name":null,"group_status":"ungroupable","group_reason":"no core group for Z99.0 with no operation, and no comprehensive group Z99 × 内科诊疗组","dip_kind":null}

        """#)
    #expect(e.groupingRate == "50.00%")
    // A second case of the same group and step comes from the cached field bytes: the same text.
    var again: [UInt8] = []
    try TestSupport.withRecord(line) { s in try e.enrich(s, into: &again) }
    #expect(String(decoding: again, as: UTF8.self) == String(text.split(separator: "\n")[0]) + "\n")
    #expect(e.groupingRate == "66.67%")  // 2 / 3, rounded half up to 2 places
  }

  @Test func catalogDiffNamesWhatChanged() throws {
    let old = try DIPGroupingTests.catalog()
    var new = old
    // 分值 1000 → 1050 (+5.00%); K35_M removed; a new group; the scale and a level coefficient change.
    new.groups[new.groups.firstIndex { $0.code == "K35.8_47.0100" }!].score = 10_500_000
    new.groups.removeAll { $0.code == "K35_M" }
    new.groups.append(DIPGroup(code: "K80.1_51.2300", name: "胆囊结石", kind: .core, dxKey: "K80.1", score: 15_200_000))
    new.groups.sort { $0.code < $1.code }
    new.scale = 100
    new.hospitalCoefs = ["3": 11_000]
    #expect(
      DIPCatalog.diff(old, new) == [
        "~\t(scale)\t×1000 → ×100",
        "~\tK35.8_47.0100\t分值 1000.0000 → 1050.0000 (+5.00%)",
        "-\tK35_M\tK35 内科诊疗组\t500.0000",
        "+\tK80.1_51.2300\t胆囊结石\t1520.0000",
        "~\thosp-coef:3\tcoef - → 1.1000",
      ])
  }
}
