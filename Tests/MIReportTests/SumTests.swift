import MICore
import MIReport
import Testing

/// `mi-report sum`: exact fen totals where binary doubles drift.
@Suite struct SumTests {
  /// Feeds NDJSON lines through a scanner into the aggregate.
  static func sum(_ lines: [String], by: [String], fields: [String]) throws -> Table {
    var a = SumAggregate(by: by, fields: fields)
    let s = RecordScanner()
    for var l in lines {
      try l.withUTF8 { try s.parse(UnsafeRawBufferPointer($0)) }
      try a.add(record: s)
    }
    return a.table()
  }

  /// The example: three clearing amounts whose binary-double sum prints 107341694.25999999.
  @Test func exactWhereDoublesDrift() throws {
    let amounts = ["35780564.75", "35780564.75", "35780564.76"]
    let doubles = amounts.map { Double($0)! }.reduce(0, +)
    #expect(String(doubles) != "107341694.26", "the doubles should drift for this example to mean anything")
    let t = try SumTests.sum(amounts.map { "{\"clearing_amt\":\($0)}" }, by: [], fields: ["clearing_amt"])
    #expect(t.footer == [.int(3), .money(10_734_169_426)])
    #expect(Render.csv([t], lang: .zh).hasSuffix("\r\n3,107341694.26\r\n"))
    #expect(String(decoding: Render.ndjson([t]), as: UTF8.self).contains("\"clearing_amt\":107341694.26"))
  }
}
