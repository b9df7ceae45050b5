import Foundation
import MICapitation
import MICore
import MITestSupport
import Testing

/// The parallel reader (`RecordStream.aggregate` on workers) gives what one sequential aggregator gives, and names
/// the first bad line exactly.
@Suite struct ParallelReadTests {
  /// 400 settlements over 3 pools, institutions and months, with refunds, remote and outside rows, a BOM, CRLF
  /// endings and blank lines.
  static func lines() -> [String] {
    var out: [String] = []
    for i in 0..<400 {
      let hifp = i % 37 == 0 ? "-\(i % 50 + 1).25" : "\(i % 50 + 1).25"
      out.append(
        rec(
          psn: "P\(i % 97)", inst: "H\(i % 7)", med: i % 5 == 0 ? "14" : "11", hifp: hifp,
          special: i % 11 == 0 && i % 37 != 0 ? "1.00" : "0.00", insured: i % 31 == 0 ? "330100" : "331100",
          blng: i % 13 == 0 ? "330100" : "331100", time: "2024-\(i % 12 + 1 < 10 ? "0" : "")\(i % 12 + 1)-03 10:00:00",
          refund: i % 37 == 0))
      if i % 50 == 0 { out.append("  ") }
    }
    return out
  }

  func write(_ lines: [String], crlf: Bool, bom: Bool) throws -> String {
    let dir = try TestSupport.tempDir("capita-parallel")
    let path = dir.appendingPathComponent("opt.ndjson").path
    var data = Data(bom ? [0xEF, 0xBB, 0xBF] : [])
    data.append(Data(lines.joined(separator: crlf ? "\r\n" : "\n").utf8))
    data.append(Data("\n".utf8))
    try data.write(to: URL(fileURLWithPath: path))
    return path
  }

  /// Reads `path` with `threads` workers (`RecordStream.aggregate(into:merge:threads:digest:make:)`), as
  /// mi-capita does; returns the aggregate and the stream's counts.
  func read(_ path: String, threads: Int) throws -> (CapitationAggregate, Counts) {
    func make() -> CapitationAggregate {
      CapitationAggregate(params: TestParams.twoPools, paramsName: "test", year: "2024", month: nil)
    }
    let out = try TestSupport.tempDir("capita-parallel-out").appendingPathComponent("out").path
    let stream = try RecordStream(inputs: [path], options: StreamOptions(output: out))
    var a = make()
    var none: SHA256? = nil
    try stream.aggregate(into: &a, merge: false, threads: threads, digest: &none, make: make)
    return (a, stream.counts)
  }

  /// 40 copies of `lines()`: about 5 MB, so several batches of about 1 MB go to different workers.
  static func manyLines() -> [String] { (0..<40).flatMap { _ in lines() } }

  @Test(arguments: [1, 2, 3, 8])
  func sameTotalsAsSequential(threads: Int) throws {
    let lines = Self.manyLines()
    let path = try write(lines, crlf: threads % 2 == 1, bom: threads > 2)
    let sequential = try aggregate(lines.filter { !$0.allSatisfy { $0 == " " } }, TestParams.twoPools)
    let (merged, counts) = try read(path, threads: threads)
    #expect(counts.read == 16000)
    #expect(merged.finish() == sequential)
    #expect(merged.aggregator.insuredElsewhere == 13 * 40)
  }

  @Test func firstBadLineIsNamed() throws {
    var lines = Self.manyLines()
    lines[12350] = #"{"psn_no":"X"}"#
    lines[13380] = "{\"bad"
    let path = try write(lines, crlf: false, bom: false)
    let error = #expect(throws: MIError.self) { try read(path, threads: 4) }
    // The first bad line in file order, with its line number in the file (blank lines count), whichever worker
    // read it.
    #expect(
      error?.message.hasSuffix("opt.ndjson:12351: field \"setl_time\": missing") == true, "\(String(describing: error))"
    )
  }
}
