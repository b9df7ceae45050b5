import Foundation
import MITestSupport
import Testing

/// End to end through the built binaries: init a workspace, import the example scheme, group its samples.
@Test func drgCommandLineEndToEnd() throws {
  guard TestSupport.toolsBuilt("mi-catalog", "mi-group") else { return }
  let dir = try TestSupport.tempDir("drg-cli")
  defer { try? FileManager.default.removeItem(at: dir) }
  let mini = TestSupport.examplesDir.appendingPathComponent("drg-mini").path
  let run = try TestSupport.shell(
    """
    set -e
    mi-catalog init --db ws.db 2>/dev/null
    mi-catalog import drg-scheme '\(mini)' --name drg-mini --db ws.db
    mi-group --scheme drg-mini --db ws.db --threads 1 '\(mini)/samples.jsonl' -o grouped.ndjson
    mi-group --scheme drg-mini --db ws.db --lang en --threads 3 '\(mini)/samples.jsonl' -o grouped-en.ndjson
    cmp grouped.ndjson grouped-en.ndjson
    """, in: dir)
  #expect(run.status == 0, "\(run.err)")
  #expect(run.err.contains("mi-catalog: imported drg-scheme 'drg-mini': 6 MDCs, 10 ADRG rules, 21 DRGs"))
  #expect(
    run.err.contains(
      "mi-group: read 23, written 23, rejected 0; grouped 16, ambiguous 1, ungroupable 3, invalid 3, 入组率 80.00%"))
  // --lang en names the rate in English; the records are the same bytes (with any number of workers).
  #expect(
    run.err.contains(
      "mi-group: read 23, written 23, rejected 0; grouped 16, ambiguous 1, ungroupable 3, invalid 3, grouping rate 80.00%"
    ))
  let out = try String(contentsOf: dir.appendingPathComponent("grouped.ndjson"), encoding: .utf8)
  let lines = out.split(separator: "\n")
  #expect(lines.count == 23)
  // Every output line is the input line's members followed by the grouping fields, and says what it expected.
  for line in lines {
    let r = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
    #expect(r["group_code"] as? String == r["drg"] as? String, "\(line)")
    #expect(r["group_scheme"] as? String == "drg-mini")
  }

  // Usage and reference errors: exit 2 without a scheme, 3 for a scheme that is not there.
  let usage = try TestSupport.shell("mi-group --db ws.db < /dev/null", in: dir)
  #expect(usage.status == 2)
  #expect(usage.err.contains("give exactly one of --scheme NAME (DRG) and --dip NAME (DIP)"))
  let missing = try TestSupport.shell("mi-group --scheme nope --db ws.db < /dev/null", in: dir)
  #expect(missing.status == 3)
  #expect(missing.err.contains("no reference set named 'nope'"))

  // A malformed line stops the run with its position, or goes to --rejects and the run goes on.
  let bad = try TestSupport.shell(
    """
    printf '{"gend":"1","age":30,"diag_codes":["J18.900"]}\\n{"gend":\\n' > bad.ndjson
    mi-group --scheme drg-mini --db ws.db bad.ndjson > /dev/null
    """, in: dir)
  #expect(bad.status == 1)
  #expect(bad.err.contains("bad.ndjson:2:"))
  let rejected = try TestSupport.shell(
    "mi-group --scheme drg-mini --db ws.db --rejects rej.ndjson bad.ndjson | wc -l; wc -l < rej.ndjson", in: dir)
  #expect(rejected.status == 0)
  #expect(rejected.out.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) } == ["1", "1"])
  #expect(rejected.err.contains("read 2, written 1, rejected 1; grouped 1"))

  // A second scheme lives beside the first; a scheme in another format is refused before anything is stored.
  let other = try TestSupport.shell(
    """
    mkdir v2 && cp '\(mini)'/dx.tsv '\(mini)'/proc.tsv v2/
    sed 's#mi-drg-scheme/1#mi-drg-scheme/9#' '\(mini)/scheme.json' > v2/scheme.json
    mi-catalog import drg-scheme v2 --name v2 --db ws.db
    """, in: dir)
  #expect(other.status == 3)
  #expect(other.err.contains("format \"mi-drg-scheme/9\" is not supported"))

  // 动态调整: a second version with one DRG renamed; `mi-catalog diff` names the change.
  let diff = try TestSupport.shell(
    """
    set -e
    sed 's#"name": "阑尾切除术，不伴并发症或合并症"#"name": "阑尾切除术"#' '\(mini)/scheme.json' > v2/scheme.json
    mi-catalog import drg-scheme v2 --name drg-mini-v2 --db ws.db 2>/dev/null
    mi-catalog diff drg-mini drg-mini-v2 --db ws.db
    """, in: dir)
  #expect(diff.status == 0, "\(diff.err)")
  #expect(
    diff.out == "~\tdrg\tGD15\t阑尾切除术，不伴并发症或合并症\tin GD1 #2: when {\"always\":true}\t阑尾切除术"
      + "\tin GD1 #2: when {\"always\":true}\n")
  #expect(diff.err.contains("mi-catalog: drg-mini → drg-mini-v2: added 0, removed 0, changed 1"))
}
