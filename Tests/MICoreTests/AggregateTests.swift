import Foundation
import MICore
import MITestSupport
import Testing

/// A toy aggregate: sums `n` per `key`; partial records are `{"kind":"sums-partial","key":…,"sum":…}`.
private struct Sums: Aggregate, Mergeable {
  var sums: [String: Int64] = [:]
  var merged = 0

  var partialHeader: PartialHeader {
    PartialHeader(
      kind: "sums-partial", tool: "sums", command: "sums --partial", params: "p", paramsSHA256: "00",
      covers: "values", year: "2024", month: nil)
  }

  mutating func add(record s: RecordScanner) throws {
    guard let key = try s.code("key") else { throw FieldError("key", "missing") }
    guard let n = try s.int("n") else { throw FieldError("n", "missing") }
    sums[key, default: 0] += n
  }

  mutating func merge(partial s: RecordScanner) throws {
    guard let key = try s.code("key"), let sum = try s.int("sum") else { throw FieldError("sum", "missing") }
    sums[key, default: 0] += sum
    merged += 1
  }

  mutating func merge(_ other: Sums) throws {
    for (k, v) in other.sums { sums[k, default: 0] += v }
  }

  mutating func writePartials(_ emit: ([UInt8]) throws -> Void) throws -> Int {
    var b: [UInt8] = []
    var w = JSONWriter()
    for k in sums.keys.sorted() {
      w.begin(&b)
      w.string("kind", "sums-partial", &b)
      w.string("key", k, &b)
      w.int("sum", sums[k]!, &b)
      w.end(&b)
    }
    try emit(b)
    return sums.count
  }

  func finish() -> [String: Int64] { sums }
}

/// The aggregate shape (`Aggregate`, `RecordStream.aggregate`, `emitPartials`, `emit`), the parallel reader over any
/// `Mergeable`, the field locator, the raw key cache and the side-file reader.
@Suite struct AggregateTests {
  func file(_ text: String, _ name: String = "in.ndjson") throws -> String {
    let path = try TestSupport.tempDir().appendingPathComponent(name).path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

  @Test func partialsOfSlicesMergeToOneRun() throws {
    let lines = (1...30).map { #"{"key":"k\#($0 % 4)","n":\#($0)}"# }
    let out = try TestSupport.tempDir().appendingPathComponent("out").path
    var whole = Sums()
    var none: SHA256? = nil
    try RecordStream(inputs: [try file(lines.joined(separator: "\n"))], options: StreamOptions(output: out))
      .aggregate(into: &whole, merge: false, digest: &none)
    // Two slices, each written as partials (the header and 4 records, counted as written), then merged.
    var partials: [String] = []
    for (k, slice) in [lines[..<12], lines[12...]].enumerated() {
      var part = Sums()
      let path = try TestSupport.tempDir().appendingPathComponent("p\(k)").path
      let stream = try RecordStream(
        inputs: [try file(slice.joined(separator: "\n"), "s\(k)")], options: StreamOptions(output: path))
      try stream.aggregate(into: &part, merge: false, digest: &none)
      #expect(try stream.emitPartials(of: &part) == 5)
      #expect(stream.counts.written == 5)
      try stream.finish()
      partials.append(path)
    }
    var merged = Sums()
    var digest: SHA256? = SHA256()
    let headers = try RecordStream(inputs: partials, options: StreamOptions(output: out))
      .aggregate(into: &merged, merge: true, digest: &digest)
    #expect(headers == 2)
    #expect(merged.merged == 8)
    #expect(merged.finish() == whole.finish())
    let k1: Int64 = (1...30).filter { $0 % 4 == 1 }.reduce(Int64(0)) { $0 + Int64($1) }
    #expect(whole.finish()["k1"] == k1)
    // The digest is of the records read, each with a newline.
    var expected = SHA256()
    expected.update(Array(try partials.map(read).joined().utf8))
    #expect(digest!.hexDigest() == expected.hexDigest())
  }

  @Test func mergeChecksEveryFilesHeader() throws {
    let header = String(decoding: Sums().partialHeader.line(), as: UTF8.self)
    let record = #"{"kind":"sums-partial","key":"a","sum":1}"# + "\n"
    func merge(_ files: [String]) throws -> Int {
      var none: SHA256? = nil
      var merged = Sums()
      let out = try TestSupport.tempDir().appendingPathComponent("out").path
      let stream = try RecordStream(inputs: files, options: StreamOptions(output: out))
      return try stream.aggregate(into: &merged, merge: true, digest: &none)
    }
    // Concatenated partials in one file: each header is checked and counted.
    #expect(try merge([try file(header + record + header + record, "two.ndjson")]) == 2)
    let noHeader = try file(header + record, "h.ndjson")
    let bare = try file(record, "bare.ndjson")
    let error = #expect(throws: MIError.self) { try merge([noHeader, bare]) }
    #expect(error?.message.contains("bare.ndjson:1: field \"part\"") == true, "\(String(describing: error))")
    let other = try file(header.replacingOccurrences(of: "2024", with: "2023") + record, "other.ndjson")
    let year = #expect(throws: MIError.self) { try merge([other]) }
    #expect(year?.message.contains("other.ndjson:1: field \"year\"") == true, "\(String(describing: year))")
  }

  @Test func emitCountsAndWritesWholeLines() throws {
    let out = try TestSupport.tempDir().appendingPathComponent("out").path
    let stream = try RecordStream(inputs: [try file(#"{"n":1}"#)], options: StreamOptions(output: out))
    try stream.run { _ in .consumed }
    try stream.emit(line: Array("{\"a\":1}\n".utf8))
    #expect(
      try stream.emit { b in
        b.append(contentsOf: "{\"b\":2}\n{\"c\":3}\n".utf8)
        return 2
      } == 2)
    #expect(stream.counts.written == 3)
    try stream.finish()
    #expect(try read(out) == "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n")
  }

  @Test(arguments: [1, 2, 5])
  func parallelReadOfAnyMergeable(threads: Int) throws {
    // 60,000 records: about 2 MB, so batches of about 1 MB go to more than one worker.
    let lines = (1...60000).map { #"{"key":"k\#($0 % 7)","n":\#($0)}"# }
    let path = try file(lines.joined(separator: "\n") + "\n")
    let out = try TestSupport.tempDir().appendingPathComponent("out").path
    func read(_ path: String, rejects: String? = nil) throws -> (Sums, Counts, String) {
      let stream = try RecordStream(inputs: [path], options: StreamOptions(output: out, rejects: rejects))
      var sums = Sums()
      var digest: SHA256? = SHA256()
      try stream.aggregate(into: &sums, merge: false, threads: threads, digest: &digest) { Sums() }
      return (sums, stream.counts, digest!.hexDigest())
    }
    let (sums, counts, digest) = try read(path)
    #expect(counts.read == 60000)
    let total: Int64 = sums.finish().values.reduce(0, +)
    #expect(total == 60000 * 60001 / 2)
    // The digest is of the records in input order, whichever worker read them.
    var expected = SHA256()
    expected.update(Array((lines.joined(separator: "\n") + "\n").utf8))
    #expect(digest == expected.hexDigest())
    var bad = lines
    bad[41500] = #"{"key":"k"}"#
    let badPath = try file(bad.joined(separator: "\n") + "\n", "bad.ndjson")
    let error = #expect(throws: MIError.self) { try read(badPath) }
    #expect(error?.message.hasSuffix("bad.ndjson:41501: field \"n\": missing") == true, "\(String(describing: error))")
    // With --rejects the bad record goes there and leaves nothing in the sums.
    let rejects = try TestSupport.tempDir().appendingPathComponent("rejects").path
    let (kept, keptCounts, _) = try read(badPath, rejects: rejects)
    #expect(keptCounts.rejected == 1)
    #expect(kept.finish().values.reduce(0, +) == total - 41501)
  }

  @Test func fieldLocatorFindsNamesInOnePass() throws {
    let locator = FieldLocator(["psn_no", "med_type", "hifp_pay", "insutype", "absent_field"])
    // An escaped key is found by its text; a later duplicate wins; keys of the same length are told apart.
    let line = #"{"hifp_pay":1,"med_\u0074ype":"11","psn_no":"a","insutype":"310","psn_no":"b","other":0}"#
    try TestSupport.withRecord(line) { s throws in
      let at = locator.locate(s)
      #expect(at[0] == 4)
      #expect(at[1] == 1)
      #expect(at[2] == 0)
      #expect(at[3] == 3)
      #expect(at[4] == -1)
      let psn = try s.code(at: at[0], field: "psn_no")
      #expect(psn == "b")
    }
  }

  @Test func rawKeyCacheComparesTheWholeSpelling() {
    var cache = RawKeyCache()
    let a = Array(#""310""#.utf8)
    let b = Array(#""H1""#.utf8)
    let c = Array(#""H10""#.utf8)
    a.withUnsafeBytes { pa in
      b.withUnsafeBytes { pb in
        c.withUnsafeBytes { pc in
          #expect(cache.slot(pa, pb) == nil)
          cache.remember(pa, pb, slot: 7)
          #expect(cache.slot(pa, pb) == 7)
          #expect(cache.slot(pa, pc) == nil)
          #expect(cache.slot(pb, pa) == nil)
        }
      }
    }
  }

  @Test func sideFileNamesFileLineAndField() throws {
    let path = try file("{\"id\":\"a\"}\n\n  \n{\"id\":\"b\"}\n{\"id\":3,\"x\":[}\n", "side.ndjson")
    var ids: [String] = []
    var lines: [Int] = []
    let error = #expect(throws: MIError.self) {
      try SideFile.forEachRecord(path) { (s, at) throws(FieldError) in
        guard let id = try s.code("id") else { throw FieldError("id", "missing") }
        ids.append(id)
        lines.append(at.line)
      }
    }
    #expect(ids == ["a", "b"])
    #expect(lines == [1, 4])
    #expect(error?.message.contains("side.ndjson:5:") == true, "\(String(describing: error))")
    let refused = #expect(throws: MIError.self) {
      try SideFile.forEachRecord(path) { (s, _) throws(FieldError) in
        if try s.code("id") == "b" { throw FieldError("id", "refused") }
      }
    }
    #expect(refused?.message.hasSuffix("side.ndjson:4: field \"id\": refused") == true)
    // The digest covers every record read (blank lines left out), each with a newline.
    let good = try file("{\"id\":\"a\"}\n\n{\"id\":\"b\"}", "good.ndjson")
    var digest: SHA256? = SHA256()
    try SideFile.forEachRecord(good, digest: &digest) { (_, _) throws(FieldError) in }
    var expected = SHA256()
    expected.update(Array("{\"id\":\"a\"}\n{\"id\":\"b\"}\n".utf8))
    #expect(digest!.hexDigest() == expected.hexDigest())
  }
}
