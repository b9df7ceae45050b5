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

  /// Parses `lines` one after another with one scanner (as a tool does) and returns, per line, each key's value
  /// as the scanner finds it by name, or the parse error.
  func sequence(_ lines: [String], keys: [String]) -> [String] {
    let s = RecordScanner()
    var out: [String] = []
    for line in lines {
      var text = line
      out.append(
        text.withUTF8 { buf -> String in
          do {
            try s.parse(UnsafeRawBufferPointer(buf))
            return keys.map { k in (try? s.string(k)).flatMap { $0 } ?? "-" }.joined(separator: ",")
          } catch let e as FieldError {
            return "error: \(e.message)"
          } catch { return "error" }
        })
    }
    return out
  }

  @Test func aReusedScannerFollowsKeysThatChangeFromLineToLine() {
    // The scanner reuses the previous line's keys and index when a line has the same keys in the same places:
    // every change of order, length, count, escaping and duplication must be seen.
    let lines = [
      #"{"a":"1","bb":"2","fulamt_ownpay_amt":"3"}"#,
      #"{"a":"4","bb":"5","fulamt_ownpay_amt":"6"}"#,
      #"{"bb":"7","a":"8","fulamt_ownpay_amt":"9"}"#,
      #"{"a":"10","b":"11","fulamt_ownpay_amt":"12"}"#,
      #"{"a":"13","bb":"14"}"#,
      #"{"a":"15","bb":"16","fulamt_ownpay_amt":"17","x":"18"}"#,
      #"{"a":"19","bb":"20","fulamt_ownpay_amx":"21","x":"22"}"#,
      #"{"a":"23","bb":"24","a":"25","x":"26"}"#,
      #"{"a":"27","bb":"28","a":"29","x":"30"}"#,
      #"{"a":"31","b\u0062":"32","a":"33","x":"34"}"#,
      #"{"a":"35","bb":"36",broken"#,
      #"{"a":"37","bb":"38","a":"39","x":"40"}"#,
      #"{"a":"41","bb":"42","fulamt_ownpay_amt":"43","x":"44"}"#,
      #"{"aa":"45","bb":"46","fulamt_ownpay_amt":"47","x":"48"}"#,
      #"{"a":"49","bb":"50","fulamt_ownpay_amt":"51","x":"52"}"#,
    ]
    let got = sequence(lines, keys: ["a", "bb", "fulamt_ownpay_amt", "x"])
    #expect(
      got.filter { !$0.hasPrefix("error") } == [
        "1,2,3,-", "4,5,6,-", "8,7,9,-", "10,-,12,-", "13,14,-,-", "15,16,17,18", "19,20,-,22", "25,24,-,26",
        "29,28,-,30", "33,32,-,34", "39,38,-,40", "41,42,43,44", "-,46,47,48", "49,50,51,52",
      ])
    #expect(got[10].hasPrefix("error"))
  }

  @Test func aReusedScannerCopiesRecordsWithoutOwnedFields() {
    // JSONWriter drops the fields a tool owns through the key index when it holds; the same lines, in an order
    // that changes shapes, give the same copies as a fresh scanner per line.
    let owned = FieldSet(["points", "coef"])
    let lines = [
      #"{"a":1,"points":2,"b":3}"#, #"{"a":4,"points":5,"b":6}"#, #"{"a":7,"b":8}"#, #"{"a":9,"b":10}"#,
      #"{"points":1,"coef":2,"points":3,"c":4}"#, #"{"points":1,"coef":2,"points":3,"c":4}"#,
      #"{"a":1,"coef":2}"#, #"{"po\u0069nts":1,"z":2}"#,
    ]
    func copy(_ s: RecordScanner) -> String {
      var w = JSONWriter()
      var b: [UInt8] = []
      w.beginCopy(of: s, except: owned, into: &b)
      w.end(&b)
      return String(decoding: b, as: UTF8.self)
    }
    let shared = RecordScanner()
    for line in lines {
      var text = line
      let (reused, fresh) = text.withUTF8 { buf -> (String, String) in
        let raw = UnsafeRawBufferPointer(buf)
        try? shared.parse(raw)
        let one = RecordScanner()
        try? one.parse(raw)
        return (copy(shared), copy(one))
      }
      #expect(reused == fresh, "\(line)")
    }
    let expected = [
      #"{"a":1,"b":3}"#, #"{"a":4,"b":6}"#, #"{"a":7,"b":8}"#, #"{"a":9,"b":10}"#, #"{"c":4}"#, #"{"c":4}"#,
      #"{"a":1}"#, #"{"z":2}"#,
    ]
    for (line, want) in zip(lines, expected) {
      #expect((try? scan(line) { copy($0) }) == want + "\n")
    }
  }

  @Test func stringsAreCheckedToBeUTF8AsTheyAreScanned() {
    func parse(_ bytes: [UInt8]) -> String? {
      bytes.withUnsafeBytes { raw -> String? in
        do {
          try RecordScanner().parse(raw)
          return nil
        } catch let e as FieldError { return e.message } catch { return "\(error)" }
      }
    }
    let ok = Array(#"{"name":"医保局 😀","k":"x"}"#.utf8)
    #expect(parse(ok) == nil)
    // A lone continuation byte, a truncated sequence, an overlong form and a surrogate, each inside a string.
    for bad: [UInt8] in [[0x80], [0xE5, 0x8C], [0xC0, 0xAF], [0xED, 0xA0, 0x80]] {
      let line = Array(#"{"k":"ab"#.utf8) + bad + Array(#"cd"}"#.utf8)
      #expect(parse(line)?.contains("invalid UTF-8 at byte 9") == true, "\(bad)")
    }
    // Long strings take the eight-byte path: the bad byte is found past it.
    let long = Array(#"{"k":"abcdefghijklmnopqrstuvwxyz"#.utf8) + [0xFF] + Array(#""}"#.utf8)
    #expect(parse(long)?.contains("invalid UTF-8 at byte 33") == true)
  }
}
