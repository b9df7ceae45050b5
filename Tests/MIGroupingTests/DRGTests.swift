import Foundation
import MICore
import MITestSupport
import Testing

@testable import MIGrouping

/// Helpers for the DRG tests: load a scheme directory, group one NDJSON line, read the expected fields of a sample.
enum DRGTestKit {
  /// Compiles the scheme in directory `dir` (scheme.json with its dictionaries when present).
  static func engine(_ dir: URL, name: String? = nil) throws -> DRGEngine {
    let scheme = try Data(contentsOf: dir.appendingPathComponent("scheme.json"))
    let dx = try? Data(contentsOf: dir.appendingPathComponent("dx.tsv"))
    let proc = try? Data(contentsOf: dir.appendingPathComponent("proc.tsv"))
    return try DRGEngine(name: name, scheme: scheme, dx: dx, proc: proc)
  }

  /// The project's hand-written example scheme.
  static func mini() throws -> DRGEngine {
    try engine(TestSupport.examplesDir.appendingPathComponent("drg-mini"), name: "drg-mini")
  }

  /// Enriches one line and returns the output line parsed as a dictionary (JSONSerialization: test side only).
  static func run(_ enricher: DRGEnricher, _ line: String) throws -> [String: Any] {
    var out: [UInt8] = []
    try TestSupport.withRecord(line) { s in try enricher.enrich(s, into: &out) }
    #expect(out.last == 0x0A)
    return try JSONSerialization.jsonObject(with: Data(out)) as! [String: Any]
  }

  /// The output line as text.
  static func text(_ enricher: DRGEnricher, _ line: String) throws -> String {
    var out: [UInt8] = []
    try TestSupport.withRecord(line) { s in try enricher.enrich(s, into: &out) }
    return String(decoding: out, as: UTF8.self)
  }

  /// The lines of a samples file.
  static func lines(_ url: URL) throws -> [String] {
    try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
  }

  /// Compares every sample's expected mdc, adrg, drg, status (and reason when the sample has one) with the
  /// grouper's output; returns the mismatches as text.
  static func mismatches(_ engine: DRGEngine, samples: URL) throws -> (checked: Int, bad: [String]) {
    let enricher = DRGEnricher(engine: engine)
    var bad: [String] = []
    var n = 0
    for line in try lines(samples) {
      let want = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
      let got = try run(enricher, line)
      n += 1
      for (wk, gk) in [("mdc", "mdc"), ("adrg", "adrg"), ("drg", "group_code"), ("group_status", "group_status")]
        + (want["group_reason"] != nil ? [("group_reason", "group_reason")] : [])
      {
        let w = want[wk] as? String
        let g = got[gk] as? String
        if w != g { bad.append("\(want["setl_id"] ?? "?") \(wk): expected \(w ?? "null"), got \(g ?? "null")") }
      }
    }
    return (n, bad)
  }
}

/// The reference schemes of ../shared (FORMAT.md): every sample must group exactly as expected.
@Test(arguments: ["chs-drg-1.1", "anyang-2021"])
func drgReferenceSamplesAgree(scheme: String) throws {
  guard let ref = TestSupport.referenceDir else {
    print(TestSupport.referenceSkipMessage)
    return
  }
  let dir = ref.appendingPathComponent("drg/\(scheme)")
  let engine = try DRGTestKit.engine(dir, name: scheme)
  // The compiled sizes agree with the counts the scheme declares for itself.
  let root = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("scheme.json")))
  let counts = (root as! [String: Any])["counts"] as! [String: Any]
  #expect(engine.sizes.mdcs == counts["mdcs"] as? Int)
  #expect(engine.sizes.rules == counts["adrg_rules"] as? Int)
  #expect(engine.sizes.drgs == counts["drgs"] as? Int)
  let (n, bad) = try DRGTestKit.mismatches(engine, samples: dir.appendingPathComponent("samples.jsonl"))
  #expect(n == 400)
  #expect(bad.isEmpty, "\(bad.count) mismatches: \(bad.prefix(20).joined(separator: "; "))")
}

/// The FORMAT.md §10 worked examples that need the reference schemes, case by case through the values API.
@Test func drgWorkedExamplesOfFormatSection10() throws {
  guard let ref = TestSupport.referenceDir else {
    print(TestSupport.referenceSkipMessage)
    return
  }
  let chs = DRGGrouper(engine: try DRGTestKit.engine(ref.appendingPathComponent("drg/chs-drg-1.1")))
  let ay = DRGGrouper(engine: try DRGTestKit.engine(ref.appendingPathComponent("drg/anyang-2021")))
  func drg(_ g: DRGGrouper, _ r: DRGResult) -> String {
    r.drg >= 0 ? g.engine.drgs[r.drg].code : r.rule >= 0 ? g.engine.rules[r.rule].code : r.status.name
  }
  let dx1 = ["K22.301", "K11.901", "E11.900", "I10.x05"]
  #expect(drg(chs, chs.group(gender: "2", age: 88, dx: dx1, px: ["96.0800x005"])) == "GZ13")
  #expect(drg(ay, ay.group(gender: "2", age: 88, dx: dx1, px: ["96.0800x005"])) == "GZ12")
  let dx2 = ["K22.301", "K22.100", "E11.900", "I10.x05"]
  #expect(drg(chs, chs.group(gender: "2", age: 88, dx: dx2, px: ["96.0800x005"])) == "GZ15")
  #expect(drg(ay, ay.group(gender: "1", age: 10, dx: ["J18.900", "J96.900x001"], px: [])) == "ES31A")
  #expect(drg(ay, ay.group(gender: "1", age: 30, dx: ["J18.900", "J96.900x001"], px: [])) == "ES31B")
  let nb = ["P25.300", "P07.200x011", "P28.400", "P29.800"]
  #expect(drg(chs, chs.group(gender: "1", age: 0, ageDays: 4, weight: 3718, dx: nb, px: ["96.3100x001"])) == "PS45")
  #expect(drg(chs, chs.group(gender: "1", age: 0, ageDays: 4, weight: 1400, dx: nb, px: ["96.3100x001"])) == "PS15")
  #expect(drg(ay, ay.group(gender: "1", age: 0, ageDays: 4, weight: 1400, dx: nb, px: ["96.3100x001"])) == "PS19")
  let noWeight = chs.group(gender: "1", age: 0, ageDays: 4, dx: nb, px: [])
  #expect(noWeight.status == .invalid && noWeight.invalidReason == "新生儿的出生体重必须有值")
  #expect(drg(chs, chs.group(gender: "1", age: 30, dx: ["S06.500", "S27.000"], px: [])) == "ZZ15")
  #expect(drg(ay, ay.group(gender: "1", age: 30, dx: ["S06.500", "S27.000"], px: [])) == "ZZ14")
  #expect(drg(chs, chs.group(gender: "1", age: 30, dx: ["S06.500", "S06.400"], px: [])) == "BY15")
  #expect(drg(chs, chs.group(gender: "1", age: 65, dx: ["C61.x00"], px: ["60.5x02"])) == "MA19")
  #expect(chs.group(gender: "2", age: 65, dx: ["C61.x00"], px: ["60.5x02"]).status == .ungroupable)
  #expect(drg(chs, chs.group(gender: "1", age: 30, dx: [], px: ["37.5100"])) == "AA19")
  #expect(ay.group(gender: "1", age: 30, dx: [], px: ["37.5100"]).status == .ungroupable)
  let g9 = ay.group(gender: "9", age: 30, dx: ["J18.900"], px: [])
  #expect(g9.status == .invalid && g9.invalidReason == "病人性别取值必须为1或2：9")
  #expect(chs.group(gender: "1", age: 30, dx: ["J18.9"], px: []).status == .ungroupable)
}

/// The example scheme's own samples: every status, both `on_no_drg` values, QY, age splits, exclusions.
@Test func drgMiniSchemeSamples() throws {
  let dir = TestSupport.examplesDir.appendingPathComponent("drg-mini")
  let (n, bad) = try DRGTestKit.mismatches(try DRGTestKit.mini(), samples: dir.appendingPathComponent("samples.jsonl"))
  #expect(n == 23)
  #expect(bad.isEmpty, "\(bad.joined(separator: "; "))")
}

/// Output fields and their order; grouped cases carry no group_reason; re-running replaces, never duplicates.
@Test func drgOutputFieldsAndRerun() throws {
  let e = DRGEnricher(engine: try DRGTestKit.mini())
  let line =
    #"{"setl_id":"X1","gend":"2","age":88,"diag_codes":["K22.301","K11.901"],"oprn_codes":[],"psn_part_amt":12.50}"#
  let once = try DRGTestKit.text(e, line)
  #expect(
    once
      == #"{"setl_id":"X1","gend":"2","age":88,"diag_codes":["K22.301","K11.901"],"oprn_codes":[],"psn_part_amt":12.50,"#
      + #""group_scheme":"drg-mini","group_code":"GZ13","group_name":"其他消化系统诊断，伴并发症或合并症","#
      + #""mdc":"MDCG","adrg":"GZ1","group_status":"grouped"}"# + "\n")
  let twice = try DRGTestKit.text(e, String(once.dropLast()))
  #expect(twice == once)
  // A record whose only members are our own fields: all are replaced, and the object stays valid JSON.
  let owned = try DRGTestKit.text(e, #"{"mdc":"MDCX","group_trace":[]}"#)
  #expect(
    owned == #"{"group_scheme":"drg-mini","group_code":null,"group_name":null,"mdc":null,"adrg":null,"#
      + #""group_status":"invalid","group_reason":"病人性别为空"}"# + "\n")
  let bad = try DRGTestKit.run(e, #"{"gend":"1","age":30,"diag_codes":["J18.9"]}"#)
  #expect(bad["group_code"] is NSNull && bad["mdc"] is NSNull && bad["adrg"] is NSNull)
  #expect(bad["group_reason"] as? String == "不符合所有MDC的入组条件，无法入组")
  // Two grouped runs of the first record, one invalid and one ungroupable case.
  #expect(e.statusCounts == [2, 0, 1, 1])
  #expect(e.summary() == ["grouped 2", "ambiguous 0", "ungroupable 1", "invalid 1", "入组率 66.67%"])
}

/// CC and MCC with an exclusion (FORMAT.md §7): the trace says which CC counted and which table removed one.
@Test func drgExclusionAndTrace() throws {
  let e = DRGEnricher(engine: try DRGTestKit.mini(), explain: true)
  let r = try DRGTestKit.run(e, #"{"gend":"2","age":88,"diag_codes":["K22.301","K22.100","K11.901"]}"#)
  #expect(r["group_code"] as? String == "GZ13")
  let trace = r["group_trace"] as? [String] ?? []
  #expect(trace.first == "checks passed (6)")
  #expect(trace.contains("MDCG entered: principal_dx_in MDCG.mdc_zd [K22.301]"))
  #expect(trace.contains("ADRG GZ1 (rule GZ1) matched: principal_dx_in GZ1.adrg_zd [K22.301]"))
  #expect(trace.contains("CC K22.100 (table 111) excluded: principal K22.301 has exclusion table 111"))
  #expect(trace.contains("CC K11.901 (table 110) counts"))
  #expect(trace.last == "CC K11.901 (table 110) counts")
  // Without the counting CC the exclusion leaves the case without complications.
  let r2 = try DRGTestKit.run(e, #"{"gend":"2","age":88,"diag_codes":["K22.301","K22.100"]}"#)
  #expect(r2["group_code"] as? String == "GZ15")
  // An MDC that is entered but has no applicable rule passes the case on (FORMAT.md §6 point 1).
  let r3 = try DRGTestKit.run(e, #"{"gend":"1","age":65,"diag_codes":["C61.x00"],"oprn_codes":["60.5x02"]}"#)
  let t3 = r3["group_trace"] as? [String] ?? []
  #expect(t3.contains("MDCA: no ADRG rule applies; next MDC"))
  #expect(r3["group_code"] as? String == "MA19")
  #expect(r3["group_trace"] != nil && r["group_warnings"] == nil)
}

/// The checks of FORMAT.md §8 and the malformed-number rule of §2 give invalid with the reason.
@Test func drgInvalidChecks() throws {
  let g = DRGGrouper(engine: try DRGTestKit.mini())
  #expect(g.group(gender: nil, age: 30, dx: ["J18.900"], px: []).invalidReason == "病人性别为空")
  #expect(g.group(gender: "男", age: 30, dx: ["J18.900"], px: []).invalidReason == "病人性别取值必须为1或2：男")
  #expect(g.group(gender: "1", age: nil, dx: ["J18.900"], px: []).invalidReason == "病人年龄为空")
  #expect(g.group(gender: "1", age: 0, dx: ["J18.900"], px: []).invalidReason == "病人年龄0时，年龄天数必须有值")
  // Day 29 is no longer a newborn: the weight is not required, the case groups.
  #expect(g.group(gender: "1", age: 0, ageDays: 29, dx: ["J18.900"], px: []).status == .grouped)
  let e = DRGEnricher(engine: try DRGTestKit.mini())
  let r = try DRGTestKit.run(e, #"{"gend":"1","age":"x","diag_codes":["J18.900"]}"#)
  #expect(r["group_status"] as? String == "invalid")
  #expect(r["group_reason"] as? String == "病案信息解析出错：age 不是整数")
  // A malformed weight only matters when a weight rule is reached: this scheme has none.
  let w = try DRGTestKit.run(e, #"{"gend":"1","age":5,"nwb_bir_wt":"heavy","diag_codes":["J18.900"]}"#)
  #expect(w["group_code"] as? String == "ES35")
}

/// Codes absent from the dictionaries and sex/diagnosis conflicts are warnings; the status is unchanged.
@Test func drgWarnings() throws {
  let e = DRGEnricher(engine: try DRGTestKit.mini())
  let r = try DRGTestKit.run(e, #"{"gend":"1","age":30,"diag_codes":["J18.9","J18.900"],"oprn_codes":["99.9999"]}"#)
  #expect(r["group_status"] as? String == "ungroupable")
  #expect(r["group_warnings"] as? [String] == ["诊断编码不在诊断字典中：J18.9", "手术操作编码不在手术操作字典中：99.9999"])
  let s = try DRGTestKit.run(e, #"{"gend":"2","age":65,"diag_codes":["C61.x00"],"oprn_codes":["60.5x02"]}"#)
  #expect(s["group_status"] as? String == "ungroupable")
  #expect(s["group_warnings"] as? [String] == ["诊断与性别不符：C61.x00 属 MDCM（性别 1），病人性别 2"])
  // Escaped strings and numbers in code arrays go through the scanner and give the same codes.
  let esc = try DRGTestKit.run(e, #"{"gend":"1","age":30,"diag_codes":["J18.\u0039","J18.900"]}"#)
  #expect(esc["group_warnings"] as? [String] == ["诊断编码不在诊断字典中：J18.9"])
  // A codes field that is not an array of codes is a bad record (rejected or an error, DESIGN.md §4).
  #expect(throws: FieldError.self) { try DRGTestKit.run(e, #"{"gend":"1","age":30,"diag_codes":"J18.900"}"#) }
}

/// A scheme in another format, with an unknown condition or a missing list is refused with the place.
@Test func drgSchemeRefusals() throws {
  let dir = TestSupport.examplesDir.appendingPathComponent("drg-mini")
  let text = try String(contentsOf: dir.appendingPathComponent("scheme.json"), encoding: .utf8)
  func compile(_ s: String) -> String? {
    do {
      _ = try DRGEngine(scheme: Data(s.utf8))
      return nil
    } catch { return error.message }
  }
  #expect(compile(text) == nil)
  #expect(
    compile(text.replacingOccurrences(of: "mi-drg-scheme/1", with: "mi-drg-scheme/2"))
      == "scheme.json: format \"mi-drg-scheme/2\" is not supported (expected \"mi-drg-scheme/1\")")
  let unknown = compile(text.replacingOccurrences(of: #"{"has_mcc": true}, {"age_le": 14}"#, with: #"{"los_gt": 30}"#))
  #expect(unknown?.hasPrefix("scheme.json: mdcs[4].adrgs[0].drgs[0].when.all[0]: unknown condition \"los_gt\"") == true)
  let vocab = compile(text.replacingOccurrences(of: #""rules": ["age_gt","#, with: #""rules": ["los_gt", "age_gt","#))
  #expect(vocab?.hasPrefix("scheme.json: vocabulary.rules: unknown condition \"los_gt\"") == true)
  let list = compile(
    text.replacingOccurrences(of: #"{"principal_dx_in": "ES3.adrg_zd"}"#, with: #"{"principal_dx_in": "ES9.adrg_zd"}"#))
  #expect(list == "scheme.json: mdcs[4].adrgs[0].entry.principal_dx_in: no code list \"ES9.adrg_zd\" in code_lists")
}

/// The scheme diff: a renamed DRG, a code moved between lists, a CC table change, sorted and tab-separated.
@Test func drgSchemeDiffLines() throws {
  let dir = TestSupport.examplesDir.appendingPathComponent("drg-mini")
  let old = try String(contentsOf: dir.appendingPathComponent("scheme.json"), encoding: .utf8)
  let new =
    old
    .replacingOccurrences(of: #""name": "阑尾切除术，不伴并发症或合并症""#, with: #""name": "阑尾切除术""#)
    .replacingOccurrences(of: #""codes": ["K22.100", "K22.301", "K80.100"]"#, with: #""codes": ["K22.100", "K22.301"]"#)
    .replacingOccurrences(of: #""K11.901": "110""#, with: #""K11.901": "111""#)
  let lines = try DRGSchemeDiff.lines(old: Data(old.utf8), new: Data(new.utf8))
  #expect(
    lines
      == [
        "-\tcode-list\tGZ1.adrg_zd\tK80.100",
        "~\tcc\tK11.901\ttable 110\ttable 111",
        "~\tdrg\tGD15\t阑尾切除术，不伴并发症或合并症\tin GD1 #2: when {\"always\":true}\t阑尾切除术\tin GD1 #2: when {\"always\":true}",
      ].sorted { a, b in
        let x = a.split(separator: "\t", maxSplits: 2)
        let y = b.split(separator: "\t", maxSplits: 2)
        return (x[1], x[2], x[0]) < (y[1], y[2], y[0])
      })
  #expect(try DRGSchemeDiff.lines(old: Data(old.utf8), new: Data(old.utf8)).isEmpty)
}

/// 入组率 with two decimals, rounded half up in integers.
@Test func drgGroupingRatePercent() {
  #expect(DRGEnricher.percent(931, of: 1000) == "93.10%")
  #expect(DRGEnricher.percent(2, of: 3) == "66.67%")
  #expect(DRGEnricher.percent(1, of: 8) == "12.50%")
  #expect(DRGEnricher.percent(0, of: 0) == "-")
}
