import MICore
import Testing

@testable import MIReport

/// Partials of `mi-report indicators` and `sum` (issue 17): a partial written and merged back is the aggregate it
/// came from, and merging is associative and commutative: every grouping and order of three shards' partials
/// gives the same partial bytes and the same report as one pass over all the records.
@Suite struct PartialTests {
  /// The hand-computed cases, the outpatient visits of persons shared by the shards, and the records of the other
  /// tools, so that every part of the partial format is written.
  static let records =
    IndicatorTests.cases + [
      #"{"setl_id":"7","psn_no":"P1","fixmedins_code":"H1","insutype":"310","med_type":"11","setl_time":"2024-02-06 10:00:00","medfee_sumamt":80.00,"hifp_pay":40.00}"#,
      #"{"setl_id":"8","psn_no":"P4","fixmedins_code":"H2","insutype":"390","med_type":"14","setl_time":"2024-03-01 10:00:00","medfee_sumamt":30.00,"hifp_pay":10.00}"#,
      #"{"setl_id":"9","psn_no":"P1","fixmedins_code":"H1","insutype":"310","med_type":"11","setl_time":"2025-01-02 10:00:00","medfee_sumamt":20.00,"hifp_pay":5.00}"#,
      #"{"kind":"finding","rule_id":"R02","rule_name":"重复收费","vola_amt":120.50,"setl_id":"S1","fixmedins_code":"H1"}"#,
      #"{"kind":"finding","rule_id":"R02","rule_name":"重复收费","vola_amt":0.01,"setl_id":"S2","fixmedins_code":"H2"}"#,
      #"{"kind":"clearing","pool":"310","fixmedins_code":"H1","cases":3,"points":"4100","clearing_amt":35780564.75,"payable_amt":"100.10","ffs_amt":9.00}"#,
      #"{"kind":"pool","pool":"310","period":"2024","budget_amt":1000.00,"payable_amt":900.00,"clearing_amt":10.00,"point_value":0.980000}"#,
      #"{"kind":"capitation","pool":"310-general","fixmedins_code":"H2","setl_cnt":3,"payout_amt":98.00,"clearing_amt":8.00}"#,
      #"{"kind":"ledger-line","id":1}"#,
    ]

  static let dims: [Dimension] = [.fixmedins_code, .month]

  /// The partial lines (header first) of an aggregate.
  static func partial(_ a: IndicatorAggregate) throws -> [UInt8] {
    var a = a
    var out = a.partialHeader.line()
    try a.writePartials { out += $0 }
    return out
  }

  /// Merges partial files, in this order, into a new aggregate (headers checked as `--merge` checks them).
  static func merge(_ files: [[UInt8]]) throws -> IndicatorAggregate {
    var a = IndicatorAggregate(dims: dims, registry: [:])
    var headers = PartialHeaderReader(a.partialHeader)
    let s = RecordScanner()
    for (f, bytes) in files.enumerated() {
      for (n, line) in bytes.split(separator: UInt8(ascii: "\n")).enumerated() {
        try Array(line).withUnsafeBytes { try s.parse($0) }
        if try !headers.read(s, file: "part-\(f)", line: n + 1) { try a.merge(partial: s) }
      }
    }
    return a
  }

  /// The report's bytes in NDJSON: what `--merge` must reproduce.
  static func report(_ a: IndicatorAggregate) throws -> String {
    let r = a.report(previous: nil, targets: .defaults)
    let (bytes, _) = try ReportWriter.bytes(
      r, format: .ndjson, lang: .zh, encoding: .utf8, color: false, showPersonal: false, inputs: ["-"])
    return String(decoding: bytes, as: UTF8.self)
  }

  @Test func mergeIsAssociativeAndCommutative() throws {
    let single = try IndicatorTests.aggregate(PartialTests.records, by: PartialTests.dims)
    // Three shards by line number modulo 3: persons P1 and P4 have visits in more than one shard.
    let shards = (0..<3).map { k in PartialTests.records.enumerated().filter { $0.offset % 3 == k }.map(\.element) }
    let parts = try shards.map { try PartialTests.partial(try IndicatorTests.aggregate($0, by: PartialTests.dims)) }
    let expected = try PartialTests.partial(single)
    let want = try PartialTests.report(single)
    #expect(want.contains("\"visits_per_person\":"), "the report should count persons for the test to mean anything")
    for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0], [2, 1, 0]] {
      let merged = try PartialTests.merge(order.map { parts[$0] })
      #expect(try PartialTests.partial(merged) == expected, "order \(order)")
      #expect(try PartialTests.report(merged) == want, "order \(order)")
    }
    // (a + b) + c against a + (b + c): partials of partials.
    let ab = try PartialTests.partial(try PartialTests.merge([parts[0], parts[1]]))
    let bc = try PartialTests.partial(try PartialTests.merge([parts[1], parts[2]]))
    let left = try PartialTests.merge([ab, parts[2]])
    let right = try PartialTests.merge([parts[0], bc])
    #expect(try PartialTests.partial(left) == expected)
    #expect(try PartialTests.partial(right) == expected)
    #expect(try PartialTests.report(right) == want)
  }

  /// Names given differently by two partials: the merge keeps the least in byte order, whichever comes first.
  @Test func disagreeingNamesMergeTheSameWayInAnyOrder() throws {
    let a = #"{"kind":"finding","rule_id":"R9","rule_name":"乙","vola_amt":1.00}"#
    let b = #"{"kind":"finding","rule_id":"R9","rule_name":"甲","vola_amt":2.00}"#
    let pa = try PartialTests.partial(try IndicatorTests.aggregate([a], by: PartialTests.dims))
    let pb = try PartialTests.partial(try IndicatorTests.aggregate([b], by: PartialTests.dims))
    let ab = try PartialTests.partial(try PartialTests.merge([pa, pb]))
    #expect(ab == (try PartialTests.partial(try PartialTests.merge([pb, pa]))))
    let text = String(decoding: ab, as: UTF8.self)
    #expect(text.contains(#""rule_name":"乙","findings":2,"vola_amt":3.00"#))
  }

  /// A partial of other dimensions is refused by its header; a bad record names its field.
  @Test func refusals() throws {
    var other = IndicatorAggregate(dims: [.pool], registry: [:])
    var file = other.partialHeader.line()
    try other.writePartials { file += $0 }
    #expect(throws: FieldError.self) { try PartialTests.merge([file]) }
    let header = IndicatorAggregate(dims: PartialTests.dims, registry: [:]).partialHeader.line()
    let bad = Array(#"{"kind":"report-partial","part":"cell","values":["H1"],"cases":1}"#.utf8) + [0x0A]
    do {
      _ = try PartialTests.merge([header + bad])
      Issue.record("a cell with one value for two dimensions was merged")
    } catch let e as FieldError {
      #expect(e.field == "values")
    }
    var html = IndicatorAggregate(dims: PartialTests.dims, registry: [:], detail: true)
    #expect(throws: MIError.self) { try html.writePartials { _ in } }
  }

  /// `sum` partials: three shards merged in two orders give the single pass's table.
  @Test func sumPartials() throws {
    let lines = (1...9).map { #"{"pool":"\#($0 % 2 == 0 ? "310" : "390")","a_amt":"\#($0).0\#($0)"}"# }
    func aggregate(_ ls: [String]) throws -> SumAggregate {
      var a = SumAggregate(by: ["pool"], fields: ["a_amt"])
      let s = RecordScanner()
      for var l in ls {
        try l.withUTF8 { try s.parse(UnsafeRawBufferPointer($0)) }
        try a.add(record: s)
      }
      return a
    }
    func merge(_ parts: [SumAggregate]) throws -> Table {
      var m = SumAggregate(by: ["pool"], fields: ["a_amt"])
      let s = RecordScanner()
      for var p in parts {
        try p.writePartials { line in
          try line.withUnsafeBytes { try s.parse($0) }; try m.merge(partial: s)
        }
      }
      return try m.finish()
    }
    var single = try aggregate(lines)
    let want = Render.ndjson([try single.finish()])
    let shards = try (0..<3).map { k in try aggregate(lines.enumerated().filter { $0.offset % 3 == k }.map(\.element)) }
    #expect(Render.ndjson([try merge(shards)]) == want)
    #expect(Render.ndjson([try merge(shards.reversed())]) == want)
  }
}
