import Foundation
import MICapitation
import MICore
import MITestSupport
import Testing

/// `--partial` and `--merge` (DESIGN.md §6): three shards merged give one run's bytes; partials of other params or
/// another period, and malformed partial lines, are refused with file, line and field.
@Suite struct PartialTests {
  /// A generated year split into three files, with the example params.
  func setUp() throws -> URL {
    let dir = try TestSupport.tempDir("mi-capita-partial")
    let run = try TestSupport.shell(
      """
      set -e
      mi-gen outpatient --count 3000 --persons 700 --institutions 12 --seed 5 > opt.ndjson
      head -n 1000 opt.ndjson > a.ndjson
      sed -n '1001,2200p' opt.ndjson > b.ndjson
      tail -n +2201 opt.ndjson > c.ndjson
      cp '\(TestSupport.examplesDir.path)/params-2024.toml' p.toml
      """, in: dir)
    #expect(run.status == 0, "\(run.err)")
    return dir
  }

  @Test(arguments: [
    "prepay --month 2024-03", "settle --year 2024 --prepaid computed", "settle --year 2024 --prepaid none",
  ])
  func threeShardsMergeToOneRun(command: String) throws {
    let dir = try setUp()
    let shard = command.replacingOccurrences(of: " --prepaid computed", with: "").replacingOccurrences(
      of: " --prepaid none", with: "")
    let run = try TestSupport.shell(
      """
      set -e
      mi-capita \(command) --params p.toml opt.ndjson > single.ndjson 2>/dev/null
      for s in a b c; do mi-capita \(shard) --params p.toml --partial $s.ndjson > $s.partial 2>/dev/null; done
      mi-capita \(command) --params p.toml --merge a.partial b.partial c.partial > merged.ndjson
      cmp single.ndjson merged.ndjson
      cat a.partial b.partial c.partial | mi-capita \(command) --params p.toml --merge > cat.ndjson 2>/dev/null
      cmp single.ndjson cat.ndjson
      test -s single.ndjson
      """, in: dir)
    #expect(run.status == 0, "\(run.err)")
    #expect(run.err.contains("partials 3"), "\(run.err)")
  }

  @Test func personsScopeAllMergesTheSharedSet() throws {
    let dir = try setUp()
    let run = try TestSupport.shell(
      """
      set -e
      sed 's/^persons_scope = "pool"/persons_scope = "all"/' p.toml > all.toml
      grep -q 'persons_scope = "all"' all.toml
      mi-capita settle --year 2024 --params all.toml --prepaid none opt.ndjson > single.ndjson 2>/dev/null
      for s in a b c; do mi-capita settle --year 2024 --params all.toml --partial $s.ndjson > $s.partial 2>/dev/null; done
      grep -q '"part":"all-persons"' a.partial
      mi-capita settle --year 2024 --params all.toml --prepaid none --merge a.partial b.partial c.partial > merged.ndjson
      cmp single.ndjson merged.ndjson
      """, in: dir)
    #expect(run.status == 0, "\(run.err)")
  }

  @Test func otherParamsOrPeriodIsRefused() throws {
    let dir = try setUp()
    let run = try TestSupport.shell(
      """
      mi-capita prepay --month 2024-03 --params p.toml --partial a.ndjson > march.partial 2>/dev/null
      mi-capita settle --year 2024 --params p.toml --partial a.ndjson > year.partial 2>/dev/null
      sed 's/^budget = 160000000.00/budget = 160000001.00/' p.toml > other.toml
      mi-capita prepay --month 2024-04 --params p.toml --merge march.partial; echo "status $?"
      mi-capita settle --year 2024 --params p.toml --prepaid none --merge year.partial march.partial; echo "status $?"
      mi-capita settle --year 2024 --params other.toml --prepaid none --merge year.partial; echo "status $?"
      mi-capita settle --year 2025 --params p.toml --prepaid none --merge year.partial; echo "status $?"
      """, in: dir)
    #expect(run.out == "status 1\nstatus 1\nstatus 1\nstatus 1\n", "\(run.err)")
    let lines = run.err.split(separator: "\n").map(String.init).filter { !$0.hasSuffix("; stopped by the error above") }
    #expect(lines.count == 4, "\(run.err)")
    guard lines.count == 4 else { return }
    #expect(lines[0] == #"mi-capita: march.partial:1: field "month": a partial of month 3; this run is of month 4"#)
    #expect(
      lines[1] == #"mi-capita: march.partial:1: field "month": a partial of month 3; this run is of the whole year"#)
    #expect(
      lines[2]
        == #"mi-capita: year.partial:1: field "params_sha256": a partial made under params p.toml with other [capitation] values than other.toml"#
    )
    #expect(lines[3] == #"mi-capita: year.partial:1: field "year": a partial of 2024; this run is of 2025"#)
  }

  @Test func malformedPartialLinesNameFileLineAndField() throws {
    let dir = try setUp()
    let run = try TestSupport.shell(
      """
      mi-capita settle --year 2024 --params p.toml --partial a.ndjson > a.partial 2>/dev/null
      m() { mi-capita settle --year 2024 --params p.toml --prepaid none --merge "$@" > /dev/null; echo "status $?"; }
      sed '3s/"remote_amt":[^,]*/"remote_amt":"x"/' a.partial > bad1; m bad1
      sed '8s/"month_hifp_amt":\\[[^]]*\\]/"month_hifp_amt":[1.00]/' a.partial > bad2; m bad2
      sed '9s/"pool":"[^"]*"/"pool":"999-general"/' a.partial > bad3; m bad3
      tail -n +2 a.partial > bad4; m bad4
      (cat a.partial; echo '{"kind":"capitation-partial","part":"persons","pool":"310-general","hashes":["xyz"]}') > bad5; m bad5
      (cat a.partial; echo '{"kind":"capitation-partial","part":"persons","pool":"390-general","hashes":["0000000000000001"]}') > bad6; m bad6
      (cat a.partial; echo '{"kind":"capitation-partial","part":"institution","pool":"310-general","fixmedins_code":"H","fund_amt":90000000000000000.00,"special_amt":0,"setl_cnt":1,"month_hifp_amt":[90000000000000000.00,0,0,0,0,0,0,0,0,0,0,0]}'; echo '{"kind":"capitation-partial","part":"institution","pool":"310-general","fixmedins_code":"H","fund_amt":90000000000000000.00,"special_amt":0,"setl_cnt":1,"month_hifp_amt":[90000000000000000.00,0,0,0,0,0,0,0,0,0,0,0]}') > bad7; m bad7
      (cat a.partial; echo '{"kind":"capitation-partial","part":"counts","outside_period":-1,"inpatient":0,"insured_elsewhere":0}') > bad8; m bad8
      (cat a.partial; echo '{"kind":"clearing-partial"}') > bad9; m bad9
      echo '{"kind":"capitation-partial",' > bad10; m bad10
      m a.partial --rejects r.ndjson
      mi-capita settle --year 2024 --params p.toml --partial --post a.ndjson; echo "status $?"
      mi-capita settle --year 2024 --params p.toml --partial --adjustments x a.ndjson; echo "status $?"
      """, in: dir)
    let n = (try String(contentsOf: dir.appendingPathComponent("a.partial"), encoding: .utf8)).split(
      separator: "\n"
    ).count
    // Each stopped run ends with its summary line; the messages are the lines before them.
    let err = run.err.split(separator: "\n").map(String.init).filter { !$0.hasSuffix("; stopped by the error above") }
    let expected = [
      #"mi-capita: bad1:3: field "remote_amt": expected an amount in yuan with at most two decimals, found string "x""#,
      #"mi-capita: bad2:8: field "month_hifp_amt": expected 12 amounts (January to December), found 1"#,
      #"mi-capita: bad3:9: field "pool": no capitation pool "999-general" in the params"#,
      #"mi-capita: bad4:1: field "part": a partial starts with its header record (part "header"), found "counts""#,
      #"mi-capita: bad5:\#(n + 1): field "hashes": expected 16 hex digits (not all zero), found "xyz""#,
      #"mi-capita: bad6:\#(n + 1): field "hashes": 0000000000000001 is not a key of pool 390-general"#,
      #"mi-capita: bad7:\#(n + 2): field "fund_amt": the sum no longer fits in 64 bits"#,
      #"mi-capita: bad8:\#(n + 1): field "outside_period": must not be negative"#,
      #"mi-capita: bad9:\#(n + 1): field "kind": expected "capitation-partial" (a record of mi-capita --partial)"#,
    ]
    #expect(run.out.split(separator: "\n").count == 13, "\(run.out)")
    #expect(run.out.hasPrefix(String(repeating: "status 1\n", count: 10)), "\(run.out)")
    for (i, e) in expected.enumerated() where i < err.count {
      #expect(err[i] == e)
    }
    #expect(err.count > 9 && err[9].hasPrefix("mi-capita: bad10:1: "), "\(run.err)")
    #expect(run.err.contains("--rejects cannot skip a partial record: --merge stops at a bad one"))
    #expect(run.err.contains("--post records a finished run, not a --partial one"))
    #expect(run.err.contains("--adjustments applies when finishing: give it to --merge, not to --partial"))
    #expect(run.out.hasSuffix("status 2\nstatus 2\nstatus 2\n"), "\(run.out)")
  }

  /// In process: the partial records of one aggregator, read back, give the same totals.
  @Test func partialRoundTripsInProcess() throws {
    let p = TestParams.twoPools
    let lines = ParallelReadTests.lines().filter { !$0.allSatisfy { $0 == " " } }
    var a = CapitationAggregator(params: p, year: "2024")
    for l in lines { try TestSupport.withRecord(l) { try a.add($0) } }
    var out: [String] = []
    try a.writePartial(paramsName: "test") { out.append(String(decoding: $0.dropLast(), as: UTF8.self)) }
    #expect(out.first?.contains(#""part":"header""#) == true)
    var r = CapitationPartialReader(params: p, paramsName: "test", year: "2024", month: nil)
    for (i, l) in out.enumerated() {
      try TestSupport.withRecord(l) { try r.add($0, file: "p", line: i + 1) }
    }
    #expect(r.aggregator.finish() == a.finish())
    #expect(r.aggregator.extra == a.extra)
    #expect(r.partials == 1)
  }
}
