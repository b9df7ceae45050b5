import Foundation
import MICore
import MITestSupport
import Testing

/// Record enrichment and JSON writing.
@Suite struct WriterTests {
  func enrich(_ line: String, owned: [String], _ add: (inout JSONWriter, inout [UInt8]) -> Void) throws -> String {
    try TestSupport.withRecord(line) { r in
      var out: [UInt8] = []
      var w = JSONWriter()
      w.beginCopy(of: r, except: FieldSet(owned), into: &out)
      add(&w, &out)
      w.end(&out)
      return String(decoding: out, as: UTF8.self)
    }
  }

  @Test func keepsEveryInputByteAndAppends() throws {
    let got = try enrich(#"{"setl_id":"S1", "amt":1234.50,"x":{"y" : [1, 2]}}"#, owned: ["group_code"]) { w, b in
      w.string("group_code", "GZ13", &b)
    }
    #expect(got == #"{"setl_id":"S1", "amt":1234.50,"x":{"y" : [1, 2]},"group_code":"GZ13"}"# + "\n")
  }

  @Test func replacesOwnedFieldsInsteadOfDuplicating() throws {
    let first = try enrich(
      #"{"a":1,"group_code":"OLD","b":2,"group_reason":"stale"}"#, owned: ["group_code", "group_reason"]
    ) {
      w, b in w.string("group_code", "NEW", &b)
    }
    #expect(first == #"{"a":1,"b":2,"group_code":"NEW"}"# + "\n")
    let again = try enrich(String(first.dropLast()), owned: ["group_code", "group_reason"]) { w, b in
      w.string("group_code", "NEW", &b)
    }
    #expect(again == first)
  }

  @Test func escapesAnyUnicodeCorrectly() throws {
    var b: [UInt8] = []
    JSONWriter.appendString("医保 \"q\" \\ \n\t\u{01}\u{1F} 😀", to: &b)
    #expect(String(decoding: b, as: UTF8.self) == #""医保 \"q\" \\ \n\t\u0001\u001f 😀""#)
    // And the scanner reads it back to the same text.
    let line = "{\"s\":" + String(decoding: b, as: UTF8.self) + "}"
    #expect(try TestSupport.withRecord(line) { try $0.string("s") } == "医保 \"q\" \\ \n\t\u{01}\u{1F} 😀")
  }

  @Test func typedMembers() throws {
    var b: [UInt8] = []
    var w = JSONWriter()
    w.begin(&b)
    w.fen("amt", 123_450, &b)
    w.fen("neg", -5, &b)
    w.fixed("points", 12_345, scale: 4, &b)
    w.int("n", 42, &b)
    w.bool("ok", true, &b)
    w.strings("codes", ["A", "B"], &b)
    w.string("none", nil, &b)
    w.end(&b)
    #expect(
      String(decoding: b, as: UTF8.self)
        == #"{"amt":1234.50,"neg":-0.05,"points":1.2345,"n":42,"ok":true,"codes":["A","B"],"none":null}"# + "\n")
  }

  @Test func outputFileIsRenamedIntoPlaceOnlyWhenFinished() throws {
    let dir = try TestSupport.tempDir()
    let path = dir.appendingPathComponent("out.ndjson").path
    do {
      let out = try OutputFile(path: path)
      try out.write("partial\n")
      try out.flush()
    }
    #expect(!FileManager.default.fileExists(atPath: path))
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    let out = try OutputFile(path: path)
    try out.write("done\n")
    try out.finish()
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "done\n")
  }

  @Test func fullDiskIsAnIOErrorWithTheSystemMessage() throws {
    let out = try OutputFile(path: "/dev/full")
    do {
      try out.write("x\n")
      try out.flush()
      Issue.record("expected an error")
    } catch {
      #expect(error.exitCode == 4)
    }
  }

  @Test func largeOutputsAreWrittenInOrderByTheWritingThread() throws {
    // 4 MB in lines of varying length: many buffers pass through the writing thread, and arrive in order.
    let dir = try TestSupport.tempDir()
    let path = dir.appendingPathComponent("big.ndjson").path
    let out = try OutputFile(path: path)
    var expected: [UInt8] = []
    for i in 0..<60_000 {
      let line = "{\"n\":\(i),\"pad\":\"\(String(repeating: "x", count: i % 97))\"}\n"
      expected.append(contentsOf: line.utf8)
      out.buffer.append(contentsOf: line.utf8)
      try out.flushIfNeeded()
    }
    try out.flush()  // waits for the thread; the file is still the temporary one
    #expect(!FileManager.default.fileExists(atPath: path))
    try out.finish()
    #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(expected))
  }

  /// Writes 5 MB through `out` in the record loop's way, then finishes it.
  func writeFiveMegabytes(_ out: OutputFile) throws(MIError) {
    let chunk = [UInt8](repeating: 0x61, count: 100_000)
    for _ in 0..<50 {
      out.buffer.append(contentsOf: chunk)
      try out.flushIfNeeded()
    }
    try out.finish()
  }

  @Test func aFullDiskIsReportedFromTheWritingThread() throws {
    let out = try OutputFile(path: "/dev/full")
    do {
      try writeFiveMegabytes(out)
      Issue.record("expected an error")
    } catch {
      #expect(error.exitCode == 4)
      #expect(error.message.contains("/dev/full"))
      #expect(error.message.contains("No space left on device"))
    }
  }

  @Test func aClosedPipeEndsTheOutputQuietly() throws {
    var fds: [Int32] = [0, 0]
    #expect(pipe(&fds) == 0)
    close(fds[0])  // the reader went away
    defer { close(fds[1]) }
    let out = try OutputFile(path: "/dev/fd/\(fds[1])")
    do {
      try writeFiveMegabytes(out)
      Issue.record("expected an error")
    } catch {
      guard case .closedPipe = error else {
        Issue.record("expected closedPipe, got \(error)")
        return
      }
    }
  }
}
