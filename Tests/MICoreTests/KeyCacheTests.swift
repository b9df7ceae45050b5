import Testing

@testable import MICore

/// The scanner's key cache (`RecordKeyCache.swift`): the key index, the records it does not take, and the shape
/// reused from line to line.
@Suite struct KeyCacheTests {
  /// Parses `lines` with one scanner and returns, per line, the values of `keys` found by name and whether the
  /// record was uniquely indexed.
  func scan(_ lines: [String], keys: [String]) throws -> [String] {
    let s = RecordScanner()
    var out: [String] = []
    for line in lines {
      var text = line
      try text.withUTF8 { try s.parse(UnsafeRawBufferPointer($0)) }
      let values = try keys.map { try s.string($0) ?? "-" }
      out.append(values.joined(separator: ",") + (s.uniquelyIndexed ? " unique" : " linear"))
    }
    return out
  }

  func wide(_ count: Int, last: String) -> String {
    "{" + (0..<count).map { "\"k\($0)\":\"v\($0)\"" }.joined(separator: ",") + ",\"k5\":\"\(last)\"}"
  }

  @Test func recordsTheIndexDoesNotTakeAreSearchedLinearly() throws {
    let lines = [
      #"{"k5":"a","k0":"b"}"#,
      wide(200, last: "dup"),  // more members than the index takes, with a later duplicate
      #"{"k\u0035":"escaped","k0":"b"}"#,  // an escaped key
      #"{"k5":"a","k0":"b"}"#,
      #"{"k5":"a","k5":"again"}"#,
    ]
    #expect(
      try scan(lines, keys: ["k5", "k0", "k199", "zz"]) == [
        "a,b,-,- unique", "dup,v0,v199,- linear", "escaped,b,-,- linear", "a,b,-,- unique", "again,-,-,- linear",
      ])
  }

  @Test func aRecordOfTheSameShapeKeepsItsIndexAndANewShapeRebuildsIt() throws {
    var lines: [String] = []
    for i in 0..<300 {
      lines.append(i % 3 == 2 ? #"{"b":"\#(i)","a":"x"}"# : #"{"a":"\#(i)","b":"y"}"#)
    }
    let out = try scan(lines, keys: ["a", "b"])
    for (i, o) in out.enumerated() {
      #expect(o == (i % 3 == 2 ? "x,\(i) unique" : "\(i),y unique"))
    }
  }

  @Test func aLineThatFailsLeavesNoStaleIndex() throws {
    let s = RecordScanner()
    var results: [String] = []
    for line in [#"{"x":"1","y":"2"}"#, #"{"y":"3","x":"#, #"{"x":"4","y":"5"}"#] {
      var text = line
      do {
        try text.withUTF8 { try s.parse(UnsafeRawBufferPointer($0)) }
        results.append("\(try s.string("x") ?? "-"),\(try s.string("y") ?? "-")")
      } catch {
        results.append("error")
      }
    }
    #expect(results == ["1,2", "error", "4,5"])
  }
}

/// `Params.line(of:)`: the line of a key in a TOML file, past strings that hold brackets, quotes and `#`.
@Suite struct ParamsLineTests {
  @Test func keysAreFoundPastMultiLineStringsAndQuotedBrackets() throws {
    let text = """
      a = \"\"\"
      x = [ # not a key
      \"\"\"
      [t]
      k = 'v]#'
      m = [ "]", "[", '#',
        1 ]
      n = 2
      [u."v.w"]
      p = "q = 1" # r = 2
      """
    let file = try Params(text: text, name: "p.toml")
    #expect(file.line(of: "a") == 1)
    #expect(file.line(of: "x") == nil)
    #expect(file.line(of: "t.k") == 5)
    #expect(file.line(of: "t.m") == 6)
    #expect(file.line(of: "t.n") == 8)
    #expect(file.line(of: "u.\"v.w\".p") == 10)
    #expect(file.line(of: "u.\"v.w\".r") == 9)
  }
}
