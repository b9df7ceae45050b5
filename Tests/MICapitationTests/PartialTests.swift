import Foundation
import MICapitation
import MICore
import MITestSupport
import Testing

/// `--partial` and `--merge` (DESIGN.md §6) in process; the runs of the built mi-capita (three shards merged give
/// one run's bytes; partials of other params or period and malformed partial lines refused with file, line and
/// field) are the golden cases Tests/CLITests/Cases/mi-capita/0602–0605.
@Suite struct PartialTests {
  /// In process: the partial records of one aggregator, read back, give the same totals.
  @Test func partialRoundTripsInProcess() throws {
    let p = TestParams.twoPools
    let lines = ParallelReadTests.lines().filter { !$0.allSatisfy { $0 == " " } }
    var a = CapitationAggregator(params: p, year: "2024")
    for l in lines { try TestSupport.withRecord(l) { try a.add($0) } }
    var out: [String] = []
    try a.writePartial { out.append(String(decoding: $0.dropLast(), as: UTF8.self)) }
    #expect(out.first?.contains(#""part":"counts""#) == true)
    var r = CapitationAggregate(params: p, paramsName: "test", year: "2024", month: nil)
    for l in out {
      try TestSupport.withRecord(l) { try r.merge(partial: $0) }
    }
    #expect(r.aggregator.finish() == a.finish())
    #expect(r.aggregator.extra == a.extra)
  }
}
