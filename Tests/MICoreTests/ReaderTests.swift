import Foundation
import MICore
import MITestSupport
import Testing

/// The NDJSON line reader: line ends, BOM, last line, huge lines, gzip, invalid UTF-8.
@Suite struct ReaderTests {
  func lines(_ bytes: [UInt8], name: String = "t.ndjson") throws -> [String] {
    let dir = try TestSupport.tempDir()
    let path = dir.appendingPathComponent(name).path
    FileManager.default.createFile(atPath: path, contents: Data(bytes))
    let r = try LineReader(path: path)
    var out: [String] = []
    while let l = try r.nextLine() { out.append(String(decoding: l, as: UTF8.self)) }
    return out
  }

  @Test func splitsOnNewlineAndKeepsLastLineWithoutNewline() throws {
    #expect(try lines(Array("a\nb\nc".utf8)) == ["a", "b", "c"])
    #expect(try lines(Array("a\nb\n".utf8)) == ["a", "b"])
    #expect(try lines([]) == [])
  }

  @Test func stripsCRLFAndLeadingBOM() throws {
    #expect(try lines([0xEF, 0xBB, 0xBF] + Array("{}\r\n{}\r\n".utf8)) == ["{}", "{}"])
  }

  @Test func keepsEmptyLinesForTheCallerToSkip() throws {
    #expect(try lines(Array("a\n\nb".utf8)) == ["a", "", "b"])
  }

  @Test func hugeLinesGrowTheBuffer() throws {
    let big = String(repeating: "x", count: 1_000_000)
    #expect(try lines(Array("\(big)\nshort\n".utf8)) == [big, "short"])
  }

  @Test func invalidUTF8NamesFileLineAndHint() throws {
    do {
      // 医保 in GB18030 is not UTF-8.
      _ = try lines(Array("ok\n".utf8) + [0x7B, 0xD2, 0xBD, 0xB1, 0xA3, 0x7D, 0x0A])
      Issue.record("expected an error")
    } catch let e as MIError {
      #expect(e.exitCode == 1)
      #expect(e.message.contains("t.ndjson:2:"))
      #expect(e.message.contains("iconv -f GB18030 -t UTF-8"))
    }
  }

  @Test func utf8CheckAcceptsValidAndRejectsOverlongAndSurrogates() {
    func check(_ b: [UInt8]) -> Int? { b.withUnsafeBytes { UTF8Check.firstInvalid($0) } }
    #expect(check(Array("医保 ok 😀 abcdefghijklmnop".utf8)) == nil)
    #expect(check([0xC0, 0x80]) == 0)  // overlong NUL
    #expect(check([0x41, 0xED, 0xA0, 0x80]) == 1)  // UTF-16 surrogate
    #expect(check([0x41, 0x42, 0xE5, 0x8C]) == 2)  // truncated at end
    #expect(check([0xF4, 0x90, 0x80, 0x80]) == 0)  // above U+10FFFF
  }

  @Test func readsGzipThroughZlib() throws {
    let dir = try TestSupport.tempDir()
    let plain = dir.appendingPathComponent("c.ndjson")
    try Data("{\"a\":1}\n{\"a\":2}\n".utf8).write(to: plain)
    let gz = Process()
    gz.executableURL = URL(fileURLWithPath: "/bin/gzip")
    gz.arguments = ["-k", plain.path]
    try gz.run()
    gz.waitUntilExit()
    let r = try LineReader(path: plain.path + ".gz")
    var got: [String] = []
    while let l = try r.nextLine() { got.append(String(decoding: l, as: UTF8.self)) }
    #expect(got == ["{\"a\":1}", "{\"a\":2}"])
  }

  @Test func missingFileIsAnIOError() {
    #expect(throws: MIError.self) { try LineReader(path: "/nonexistent/x.ndjson") }
    do { _ = try LineReader(path: "/nonexistent/x.ndjson") } catch { #expect(error.exitCode == 4) }
  }

  @Test func tableReaderSplitsQuotedCSV() throws {
    let dir = try TestSupport.tempDir()
    let path = dir.appendingPathComponent("t.csv").path
    try Data("code,name\nA01,\"伤寒, 副伤寒\"\nB02,\"say \"\"hi\"\"\"\n".utf8).write(to: URL(fileURLWithPath: path))
    let t = try TableReader(path: path)
    #expect(try t.nextRow() == ["code", "name"])
    #expect(try t.nextRow() == ["A01", "伤寒, 副伤寒"])
    #expect(try t.nextRow() == ["B02", "say \"hi\""])
    #expect(try t.nextRow() == nil)
  }
}

/// The table reader against rows it must give back exactly: quoted fields with delimiters, doubled quotes and
/// line breaks falling across the 64 KiB read blocks, CRLF and LF, GB18030, and a last row without a line end.
@Suite struct TableReaderRoundTripTests {
  /// Random fields: plain text, Chinese, and the characters quoting exists for.
  static func rows(_ count: Int, seed: UInt64) -> [[String]] {
    var rng = SplitMix(state: seed)
    let pieces = ["a", "医保", "1234.50", ",", "\"", "\n", "\r\n", " ", "结算清单", "x\ty", ""]
    return (0..<count).map { _ in
      (0..<(1 + Int(rng.next() % 6))).map { _ in
        (0..<Int(rng.next() % 5)).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
      }
    }
  }

  /// The rows as CSV (every field quoted when it needs it), lines ended by `eol`, the last without one.
  static func csv(_ rows: [[String]], eol: String) -> String {
    rows.map { row in
      row.map { f in
        f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
          ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
      }.joined(separator: ",")
    }.joined(separator: eol)
  }

  @Test(arguments: [("\n", false), ("\r\n", false), ("\n", true)])
  func rowsComeBackExactly(_ eol: String, _ gb: Bool) throws {
    // A row of one empty field is a blank line, which readers skip: every row here has a first field.
    let rows = TableReaderRoundTripTests.rows(9000, seed: gb ? 7 : 3).map { ["r"] + $0 }
    let text = TableReaderRoundTripTests.csv(rows, eol: eol)
    var bytes = Array(text.utf8)
    if gb {
      var out: [UInt8] = []
      let c = try GB18030Converter(name: "test", toGB18030: true)
      _ = bytes.withUnsafeBytes { c.convert($0, into: &out) }
      bytes = out
    }
    #expect(bytes.count > 200_000)
    let path = try TestSupport.tempDir().appendingPathComponent("t.csv").path
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let t = try TableReader(path: path, format: TableFormat(encoding: gb ? .gb18030 : .utf8))
    var got: [[String]] = []
    while try t.next() { got.append(t.row.strings) }
    #expect(got.count == rows.count)
    for (i, (a, b)) in zip(got, rows).enumerated() where a != b {
      Issue.record("row \(i + 1): \(a) != \(b)")
      break
    }
    // The same bytes in memory (a zip member) give the same rows.
    let m = TableReader(bytes: bytes, name: "t.csv", encoding: gb ? .gb18030 : .utf8)
    var again = 0
    while try m.next() { again += 1 }
    #expect(again == rows.count)
  }
}
