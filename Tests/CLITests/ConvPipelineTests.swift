import Foundation
import MICore
import MITestSupport
import Testing

/// Issue 16, "done when": the demo started from platform extracts — settlements in setl_d's columns and the
/// settlement list's long diagnosis and operation tables, as GB18030 CSV and as xlsx, written by
/// `mi-gen --layout platform` and joined by `mi-conv cases` — reaches the same grouped, scored and cleared results
/// as the demo from NDJSON.
@Suite struct ConvPipelineTests {
  static let script = """
    set -e
    export MI_DB="$PWD/mi.db"
    mi-catalog init
    mi-catalog import dx "$E/dx.tsv" --name dx-ex
    mi-catalog import proc "$E/proc.tsv" --name proc-ex
    mi-catalog import hospitals "$E/hospitals.csv" --name hospitals-2024
    mi-catalog import proc-class "$E/dip/proc-class.tsv" --name pc
    mi-catalog import params "$E/params-2024.toml" --name params-2024
    for y in 2021 2022 2023; do
      mi-gen cases --count 3000 --seed "$y" --year "$y" --hospitals 8 --dx dx-ex --proc proc-ex
    done > history.ndjson
    gen="mi-gen cases --count 2000 --seed 2024 --year 2024 --hospitals 8 --dx dx-ex --proc proc-ex"
    $gen > ndjson.ndjson
    $gen --layout platform --format csv --encoding gb18030 --layouts "$L" -o csv
    $gen --layout platform --format xlsx --layouts "$L" -o xlsx
    mi-conv cases --encoding gb18030 --settlements csv.setl_d.csv --diagnoses csv.setl_list_diag_d.csv \\
      --operations csv.setl_list_oprn_d.csv > csv.ndjson
    mi-conv cases --settlements xlsx.setl_d.xlsx --diagnoses xlsx.setl_list_diag_d.xlsx \\
      --operations xlsx.setl_list_oprn_d.xlsx > xlsx.ndjson
    mi-score derive --method dip --proc-class pc --hospitals hospitals-2024 --import dip-2024 history.ndjson
    for f in ndjson csv xlsx; do
      mi-group --dip dip-2024 $f.ndjson | mi-score --params params-2024 --catalog dip-2024 > $f.scored
      mi-clear settle --year 2024 --params params-2024 --adjustments "$E/adjustments.ndjson" $f.scored > $f.clearing
    done
    """

  /// Each scored case's grouping and scoring fields, by setl_id.
  static func results(_ url: URL) throws -> [String: [String]] {
    var out: [String: [String]] = [:]
    for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
      try TestSupport.withRecord(String(line)) { s in
        let id = try s.string("setl_id") ?? ""
        out[id] = ["group_code", "group_status", "weight", "case_class", "points"].map { key in
          s.index(key).map { String(decoding: s.rawValue($0), as: UTF8.self) } ?? "-"
        }
      }
    }
    return out
  }

  @Test func extractsGiveTheSameGroupedScoredAndClearedResultsAsNDJSON() throws {
    guard let ref = TestSupport.referenceDir else {
      print(TestSupport.referenceSkipMessage)
      return
    }
    guard TestSupport.toolsBuilt("mi-catalog", "mi-gen", "mi-conv", "mi-group", "mi-score", "mi-clear") else { return }
    let dir = try TestSupport.tempDir("mi-conv-pipeline")
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = try TestSupport.shell(
      ConvPipelineTests.script, in: dir,
      env: ["E": TestSupport.examplesDir.path, "L": ref.appendingPathComponent("platform").path])
    #expect(run.status == 0, "pipeline failed:\n\(run.err)")
    guard run.status == 0 else { return }
    let ndjson = try ConvPipelineTests.results(dir.appendingPathComponent("ndjson.scored"))
    #expect(ndjson.count == 2000)
    #expect(ndjson.values.filter { $0[1] == "\"grouped\"" }.count > 1900)
    let clearing = try Data(contentsOf: dir.appendingPathComponent("ndjson.clearing"))
    #expect(String(decoding: clearing, as: UTF8.self).contains(#""check":"pass""#))
    for f in ["csv", "xlsx"] {
      #expect(try ConvPipelineTests.results(dir.appendingPathComponent("\(f).scored")) == ndjson, "\(f): scored")
      #expect(try Data(contentsOf: dir.appendingPathComponent("\(f).clearing")) == clearing, "\(f): clearing")
    }
    #expect(!run.err.contains("rejected 1"))
  }
}
