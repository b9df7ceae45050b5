import MICore
import MITestSupport
import Testing

/// The byte-level record scanner.
@Suite struct ScannerTests {
  func scan<T>(_ line: String, _ body: (RecordScanner) throws -> T) throws -> T {
    try TestSupport.withRecord(line, body)
  }

  func parseError(_ line: String) -> FieldError? {
    do {
      _ = try scan(line) { _ in 0 }
      return nil
    } catch let e as FieldError { return e } catch { return nil }
  }

  @Test func findsTopLevelKeysAndSkipsNestedValues() throws {
    let line = #"{"a":{"setl_id":"inner","x":[1,{"y":"}"}]},"setl_id":"S1","arr":[[1],[2]],"n":null}"#
    try scan(line) { (r: RecordScanner) throws in
      #expect(try r.string("setl_id") == "S1")
      #expect(r.has("n"))
      #expect(try r.string("n") == nil)
      #expect(try r.string("missing") == nil)
      #expect(r.members.count == 4)
    }
  }

  @Test func readsEscapesAndAnyUnicode() throws {
    try scan(#"{"s":"a\"b\\c\/d\n\t\u00e9\u533b\ud83d\ude00","k\u0065y":"v"}"#) { (r: RecordScanner) throws in
      #expect(try r.string("s") == "a\"b\\c/d\n\té医😀")
      #expect(try r.string("key") == "v")
    }
  }

  @Test func codesAcceptNumbersAndNormaliseThem() throws {
    try scan(#"{"a":"21","b":21,"c":1.0,"d":"","e":null,"f":2.5}"#) { (r: RecordScanner) throws in
      #expect(try r.code("a") == "21")
      #expect(try r.code("b") == "21")
      #expect(try r.code("c") == "1")
      #expect(try r.code("d") == nil)
      #expect(try r.code("e") == nil)
      #expect(try r.code("f") == "2.5")
    }
  }

  @Test func integersFromNumbersIntegralFloatsAndDigitStrings() throws {
    try scan(#"{"a":65,"b":65.0,"c":"65","d":"","e":6.5,"f":"x"}"#) { (r: RecordScanner) throws in
      #expect(try r.int("a") == 65)
      #expect(try r.int("b") == 65)
      #expect(try r.int("c") == 65)
      #expect(try r.int("d") == nil)
      #expect(throws: FieldError.self) { try r.int("e") }
      #expect(throws: FieldError.self) { try r.int("f") }
    }
  }

  @Test func moneyIsExactInFen() throws {
    try scan(#"{"a":"1234.5","b":1234.50,"c":1234,"d":-0.05,"e":"12.345","f":"abc","g":1.2e3,"h":"1.500"}"#) {
      (r: RecordScanner) throws in
      #expect(try r.fen("a") == 123_450)
      #expect(try r.fen("b") == 123_450)
      #expect(try r.fen("c") == 123_400)
      #expect(try r.fen("d") == -5)
      #expect(try r.fen("h") == 150)
      do {
        _ = try r.fen("e")
        Issue.record("expected an error")
      } catch let error as FieldError {
        #expect(error.field == "e")
        #expect(error.message.contains("at most two decimals"))
      }
      #expect(throws: FieldError.self) { try r.fen("f") }
      #expect(throws: FieldError.self) { try r.fen("g") }
    }
  }

  @Test func stringArrays() throws {
    try scan(#"{"diag_codes":["K35.800", "I10.x00"],"o":[],"n":[1,2]}"#) { (r: RecordScanner) throws in
      #expect(try r.strings("diag_codes") == ["K35.800", "I10.x00"])
      #expect(try r.strings("o") == [])
      #expect(try r.strings("n") == ["1", "2"])
    }
    try scan(#"{"d":[["x"]]}"#) { (r: RecordScanner) throws in #expect(throws: FieldError.self) { try r.strings("d") } }
  }

  @Test func duplicateKeysLastWins() throws {
    try scan(#"{"a":"1","a":"2"}"#) { (r: RecordScanner) throws in #expect(try r.string("a") == "2") }
  }

  @Test func malformedLinesAreErrorsWithTheirPosition() {
    #expect(parseError(#"{"a":1"#)?.message.contains("missing '}'") == true)
    #expect(parseError(#"{"a":01}"#) != nil)
    #expect(parseError(#"{"a":1,}"#) != nil)
    #expect(parseError(#"[1,2]"#)?.message.contains("not a JSON object") == true)
    #expect(parseError(#"{"a":"x"} trailing"#) != nil)
    #expect(parseError("{\"a\":\"tab\there\"}") != nil)
    #expect(parseError(#"{"a":tru}"#) != nil)
    #expect(parseError(#"{"a":"\x"}"#) != nil)
    #expect(parseError(#"  { "a" : 1 }  "#) == nil)
    #expect(parseError("{}") == nil)
  }

  @Test func hugeLineWithManyMembers() throws {
    var parts: [String] = []
    for i in 0..<5000 { parts.append("\"k\(i)\":\"\(String(repeating: "v", count: 100))\"") }
    try scan("{" + parts.joined(separator: ",") + "}") { (r: RecordScanner) throws in
      #expect(r.members.count == 5000)
      #expect(try r.string("k4999")?.count == 100)
    }
  }
}
