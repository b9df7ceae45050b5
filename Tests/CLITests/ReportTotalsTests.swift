import Foundation
import MITestSupport
import Testing

/// Issue 15, done when: the indicators' totals by institution and month equal an independent sum. 90,000 generated
/// cases (over 64 MiB, so `--threads 2` reads the file in two byte ranges) are summed here by a second, deliberately
/// plain implementation — substring search and integer fen from the decimal text — and compared cell by cell with
/// `mi-report indicators --format ndjson`, which must also give the same bytes with one worker.
@Suite struct ReportTotalsTests {
  /// The decimal text after `"key":` in `line` (a number or a string), as written.
  static func text(_ line: Substring, _ key: String) -> Substring? {
    guard let r = line.range(of: "\"\(key)\":") else { return nil }
    var rest = line[r.upperBound...]
    if rest.first == "\"" { rest = rest.dropFirst() }
    return rest.prefix { $0 != "," && $0 != "}" && $0 != "\"" }
  }

  /// Yuan text with at most two decimals → fen, by integer arithmetic only.
  static func fen(_ s: Substring) -> Int64 {
    let negative = s.hasPrefix("-")
    let body = negative ? s.dropFirst() : s
    let parts = body.split(separator: ".", omittingEmptySubsequences: false)
    let frac = parts.count > 1 ? String(parts[1]).padding(toLength: 2, withPad: "0", startingAt: 0) : "00"
    let v = Int64(parts[0])! * 100 + Int64(frac)!
    return negative ? -v : v
  }

  @Test func totalsEqualAnIndependentSum() throws {
    guard TestSupport.toolsBuilt("mi-gen", "mi-report") else { return }
    let dir = try TestSupport.tempDir("mi-report-totals")
    defer { try? FileManager.default.removeItem(at: dir) }
    let gen = try TestSupport.shell(
      "mi-gen cases --count 90000 --hospitals 50 --seed 7 --year 2024 --dx \"$EXAMPLES/dx.tsv\" "
        + "--proc \"$EXAMPLES/proc.tsv\" > cases.ndjson", in: dir, env: ["EXAMPLES": TestSupport.examplesDir.path])
    #expect(gen.status == 0, "\(gen.err)")
    let args =
      "indicators --by fixmedins_code,month --format ndjson --tables indicator "
      + "--columns fixmedins_code,month,cases,medfee_sumamt,hifp_pay cases.ndjson"
    let two = try TestSupport.shell("mi-report \(args) --threads 2", in: dir)
    let one = try TestSupport.shell("mi-report \(args) --threads 1", in: dir)
    #expect(two.status == 0 && one.status == 0, "\(two.err) \(one.err)")
    #expect(two.out == one.out, "one worker and two give different bytes")

    // The second implementation: per (institution, month), the count and the sums in fen.
    var expected: [String: (n: Int64, medfee: Int64, hifp: Int64)] = [:]
    let input = try String(contentsOf: dir.appendingPathComponent("cases.ndjson"), encoding: .utf8)
    for line in input.split(separator: "\n") {
      let code = ReportTotalsTests.text(line, "fixmedins_code")!
      let month = ReportTotalsTests.text(line, "setl_time")!.prefix(7)
      let key = "\(code)|\(month)"
      var e = expected[key] ?? (0, 0, 0)
      e.n += 1
      e.medfee += ReportTotalsTests.fen(ReportTotalsTests.text(line, "medfee_sumamt")!)
      e.hifp += ReportTotalsTests.fen(ReportTotalsTests.text(line, "hifp_pay")!)
      expected[key] = e
    }
    var found: [String: (n: Int64, medfee: Int64, hifp: Int64)] = [:]
    for line in two.out.split(separator: "\n") {
      let key = "\(ReportTotalsTests.text(line, "fixmedins_code")!)|\(ReportTotalsTests.text(line, "month")!)"
      found[key] = (
        Int64(ReportTotalsTests.text(line, "cases")!)!,
        ReportTotalsTests.fen(ReportTotalsTests.text(line, "medfee_sumamt")!),
        ReportTotalsTests.fen(ReportTotalsTests.text(line, "hifp_pay")!)
      )
    }
    #expect(found.count == expected.count && found.count > 500)
    for (key, e) in expected {
      let f = found[key]
      #expect(f?.n == e.n && f?.medfee == e.medfee && f?.hifp == e.hifp, "cell \(key): \(String(describing: f)) ≠ \(e)")
    }
    #expect(two.err.hasPrefix("mi-report: read 90000, written \(expected.count), rejected 0"))
  }
}
