import Foundation
import MICore
import MITestSupport
import Testing

/// Rules of single fields (issue 11 item 9): identifier codes must be strings, personal values are masked in
/// messages, and JSON parse errors are placed by line and column.
@Suite struct FieldRulesTests {
  func fieldError(_ line: String, _ read: (RecordScanner) throws -> Any?) -> FieldError? {
    do {
      _ = try TestSupport.withRecord(line) { s in try read(s) }
      return nil
    } catch let e as FieldError { return e } catch { return nil }
  }

  @Test func anIdentifierCodeGivenAsANumberIsAnError() throws {
    let e = fieldError(#"{"fixmedins_code":33110000001}"#) { try $0.code("fixmedins_code") }
    #expect(e == FieldError("fixmedins_code", #"expected a code in a JSON string ("…"), found number 33110000001"#))
    // By dynamic name and by index too, for every identifier.
    for key in RecordScanner.stringOnlyCodes.sorted() {
      #expect(fieldError(#"{"\#(key)":1001}"#) { try $0.code(key) } != nil, "\(key)")
    }
    // Other codes may still be numbers, and an identifier as a string reads as before.
    try TestSupport.withRecord(#"{"med_type":21,"fixmedins_code":"H1","setl_id":"0012"}"#) {
      (s: RecordScanner) throws in
      #expect(try s.code("med_type") == "21")
      #expect(try s.code("fixmedins_code") == "H1")
      #expect(try s.code("setl_id") == "0012")
    }
  }

  @Test func personalValuesAreMaskedInMessages() throws {
    #expect(Diagnostics.mask("330102199001011234", field: "certno") == "3301**********1234")
    #expect(Diagnostics.mask("33010000000012345678", field: "psn_no") == "3301************5678")
    #expect(Diagnostics.mask("P123", field: "psn_no") == "***")
    #expect(Diagnostics.mask("张三", field: "psn_name") == "***")
    #expect(Diagnostics.mask("13800001234", field: "tel") == "***")
    #expect(Diagnostics.mask("浙江省丽水市莲都区某路1号", field: "addr") == "***")
    #expect(Diagnostics.mask("H1", field: "fixmedins_code") == "H1")

    let certno = fieldError(#"{"certno":330102199001011234}"#) { try $0.string("certno") }
    #expect(certno?.message == "expected a string, found number 3301**********1234")
    let psn = fieldError(#"{"psn_no":330102199001011234}"#) { try $0.code("psn_no") }
    #expect(psn?.message == #"expected a code in a JSON string ("…"), found number 3301**********1234"#)
    let name = fieldError(#"{"psn_name":"张三"}"#) { try $0.fen("psn_name") }
    #expect(name?.message.hasSuffix(#"found string "***""#) == true, "\(name?.message ?? "")")
    let tel = fieldError(#"{"tel":"138-0000-1234"}"#) { try $0.bool("tel") }
    #expect(tel?.message == #"expected true or false, found string "***""#)
    // Another field's value is quoted as it is.
    let other = fieldError(#"{"hifp_pay":"12.345"}"#) { try $0.fen("hifp_pay") }
    #expect(other?.message.hasSuffix(#"found string "12.345""#) == true)
  }

  @Test func jsonErrorsNameLineAndColumn() throws {
    func message(_ text: String) -> String {
      let data = Data(text.utf8)
      do {
        _ = try JSONSerialization.jsonObject(with: data)
        return "parsed"
      } catch { return Diagnostics.jsonError(error, in: data, file: "scheme.json") }
    }
    #expect(message("{\n  \"a\": 1,\n  \"b\": [1, 2,,]\n}") == "scheme.json:3:14: not valid JSON: invalid value")
    #expect(message("{\n  \"名\": [1,,\n") == "scheme.json:2:11: not valid JSON: invalid value")
    #expect(message("{\"a\": [1, 2]\n").hasPrefix("scheme.json:2:1: not valid JSON: "))
  }
}
