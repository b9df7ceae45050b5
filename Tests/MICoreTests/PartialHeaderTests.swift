import MICore
import MITestSupport
import Testing

/// The one partial header (`PartialHeader`, `PartialHeaderReader`): written and read back, and every field that
/// ties a partial to its run refused when it differs (the CLI messages: golden cases mi-clear/0800, mi-score/0800,
/// mi-capita/0800).
@Suite struct PartialHeaderTests {
  static let run = PartialHeader(
    kind: "x-partial", tool: "mi-x", command: "mi-x --partial", params: "p", paramsSHA256: "aa", covers: "[x] values",
    year: "2024", month: 3, toolVersion: "1.0.0")

  /// The header line of `h`, without its newline.
  static func text(_ h: PartialHeader) -> String { String(decoding: h.line().dropLast(), as: UTF8.self) }

  @Test func headerLineHasEveryFieldInOrder() {
    #expect(
      Self.text(Self.run)
        == #"{"kind":"x-partial","part":"header","tool":"mi-x","tool_version":"1.0.0","params":"p","params_sha256":"aa","year":"2024","month":3}"#
    )
  }

  @Test func readerTakesItsOwnHeaderThenData() throws {
    var r = PartialHeaderReader(Self.run)
    #expect(try TestSupport.withRecord(Self.text(Self.run)) { try r.read($0, file: "a", line: 1) })
    #expect(try !TestSupport.withRecord(#"{"kind":"x-partial","n":1}"#) { try r.read($0, file: "a", line: 2) })
    #expect(r.partials == 1)
    // A new file must start with its own header.
    #expect(
      throws: FieldError(
        "part", "a partial starts with its header record (part \"header\"), found a record without one")
    ) { try TestSupport.withRecord(#"{"kind":"x-partial","n":1}"#) { try r.read($0, file: "b", line: 1) } }
  }

  @Test func aDifferentHeaderIsRefused() throws {
    var cases: [(PartialHeader, FieldError)] = []
    func differing(_ change: (inout PartialHeader) -> Void, _ error: FieldError) {
      var theirs = Self.run
      change(&theirs)
      cases.append((theirs, error))
    }
    differing({ $0.kind = "y-partial" }, FieldError("kind", "expected \"x-partial\" (a record of mi-x --partial)"))
    differing({ $0.tool = "mi-y" }, FieldError("tool", "a partial of mi-y; this run is of mi-x"))
    differing(
      { $0.toolVersion = "0.1.0" },
      FieldError("tool_version", "a partial written by mi-tools 0.1.0; this run is mi-tools 1.0.0"))
    differing(
      { ($0.params, $0.paramsSHA256) = ("q", "bb") },
      FieldError("params_sha256", "a partial made under params q with other [x] values than p"))
    differing({ $0.year = "2023" }, FieldError("year", "a partial of 2023; this run is of 2024"))
    differing({ $0.month = nil }, FieldError("month", "a partial of the whole year; this run is of month 3"))
    for (theirs, error) in cases {
      var r = PartialHeaderReader(Self.run)
      #expect(throws: error) { try TestSupport.withRecord(Self.text(theirs)) { try r.read($0, file: "a", line: 1) } }
    }
  }

  @Test func paramsDigestIgnoresLayoutNotValues() throws {
    let a = try Params(text: "[c]\nx = 1\ny = \"z\"\n[c.p]\nb = 2\n[d]\nq = 1\n", name: "a")
    let b = try Params(text: "# same values\n[c.p]\nb = 2\n[c]\ny = \"z\"\nx = 1\n", name: "b")
    let c = try Params(text: "[c]\nx = 2\ny = \"z\"\n[c.p]\nb = 2\n", name: "c")
    #expect(a.digest(section: "c") == b.digest(section: "c"))
    #expect(a.digest(section: "c") != c.digest(section: "c"))
  }
}
