import MICore
import MITestSupport
import Testing

/// Strict dates and times (SCHEMA.md): the shape, the calendar with its leap years, the time of day.
@Suite struct DateTimeTests {
  @Test(arguments: [
    ("2024-02-29 00:00:00", true), ("2023-02-28 23:59:59", true), ("2000-02-29 12:00:00", true),
    ("2024-12-31 23:59:59", true), ("2024-04-30 08:15:00", true),
    // Excel / WPS, a date alone, the wrong separators, short fields, a T, a zone, a fraction of a second.
    ("2024/5/28 12:00", false), ("2024/05/28 12:00:00", false), ("2024-05-28", false), ("2024-5-28 12:00:00", false),
    ("2024-05-28T12:00:00", false), ("2024-05-28 12:00:00Z", false), ("2024-05-28 12:00:00.0", false),
    ("20240528 120000", false), ("", false),
    // Days and times that do not exist.
    ("2023-02-29 00:00:00", false), ("1900-02-29 00:00:00", false), ("2024-02-30 00:00:00", false),
    ("2024-04-31 00:00:00", false), ("2024-13-01 00:00:00", false), ("2024-00-10 00:00:00", false),
    ("2024-01-00 00:00:00", false), ("2024-01-01 24:00:00", false), ("2024-01-01 23:60:00", false),
    ("2024-01-01 23:59:60", false), ("0000-01-01 00:00:00", false),
  ])
  func times(_ text: String, _ valid: Bool) {
    #expect((DateTime.parse(text, time: true) != nil) == valid, "\(text)")
  }

  @Test func datesAndValues() {
    #expect(DateTime.parse("2024-02-29", time: false) == DateTime.Value(year: 2024, month: 2, day: 29))
    #expect(DateTime.parse("2100-02-29", time: false) == nil)
    #expect(DateTime.parse("2024-02-29 00:00:00", time: false) == nil)
    #expect(DateTime.parse("2024-05-28 12:34:56", time: true) == DateTime.Value(year: 2024, month: 5, day: 28))
  }

  /// A record's field: absent and null are nil, a string of the right shape is read, anything else (a number, an
  /// escape, another shape) is an error naming the field and showing the value.
  @Test func recordFields() throws {
    let ok = try TestSupport.withRecord(#"{"setl_time":"2024-03-01 10:00:00","dscg_time":null}"#) { s in
      (
        try DateTime.read(s, "setl_time", time: true), try DateTime.read(s, "dscg_time", time: true),
        try DateTime.read(s, "adm_time", time: true)
      )
    }
    #expect(ok.0?.month == 3 && ok.1 == nil && ok.2 == nil)
    for bad in [#""2024/3/1 10:00""#, "20240301", #""2024-03-01 10:00:00\u0030""#] {
      do {
        _ = try TestSupport.withRecord(#"{"setl_time":\#(bad)}"#) { s in try DateTime.read(s, "setl_time", time: true) }
        Issue.record("accepted \(bad)")
      } catch let e as FieldError {
        #expect(e.field == "setl_time")
        #expect(e.message == "expected a time yyyy-MM-dd HH:mm:ss, found \(bad)")
      }
    }
  }
}
