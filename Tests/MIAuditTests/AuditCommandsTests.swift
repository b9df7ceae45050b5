import Testing

@testable import MIAudit

/// The flag checks of the mi-audit subcommands (`AuditCommands`), which the executable turns into usage errors
/// (exit 2): each combination the help text forbids, and one that passes.
@Suite struct AuditCommandsTests {
  @Test func runNeedsAnInputAndStandardInputOnce() {
    #expect(AuditCommands.runFlagError(cases: [], fees: [], previous: nil) == "give --cases FILE, --fees FILE or both")
    #expect(
      AuditCommands.runFlagError(cases: ["-"], fees: [], previous: "-") == "standard input (-) can be read once only")
    #expect(AuditCommands.runFlagError(cases: ["c.ndjson"], fees: ["-"], previous: "p.ndjson") == nil)
  }

  static func doctors(
    year: String = "2024", confirmed: String? = nil, auto: Bool = true, post: Bool = false, force: Bool = false,
    cases: [String] = [], inputs: [String] = []
  ) -> String? {
    AuditCommands.doctorsFlagError(
      year: year, confirmed: confirmed, auto: auto, post: post, force: force, cases: cases, inputs: inputs)
  }

  @Test func doctorsChecksYearConfirmationForceAndStandardInput() {
    #expect(Self.doctors(year: "24") == "--year must be YYYY, found '24'")
    #expect(Self.doctors(auto: false) == "give either --confirmed FILE or --auto")
    #expect(Self.doctors(confirmed: "c.txt") == "give either --confirmed FILE or --auto")
    #expect(Self.doctors(force: true) == "--force applies to --post only")
    let once = "standard input (-) can be read once only: name the findings files"
    // The confirmed list on standard input leaves the findings without a source unless they are named.
    #expect(Self.doctors(confirmed: "-", auto: false) == once)
    #expect(Self.doctors(confirmed: "-", auto: false, inputs: ["f.ndjson"]) == nil)
    #expect(Self.doctors(cases: ["-", "-"], inputs: ["f.ndjson"]) == once)
    #expect(Self.doctors(post: true, force: true, inputs: ["-"]) == nil)
  }

  @Test func summaryChecksDimensionsAndTheAdjustmentFlags() {
    func check(
      _ by: String = "rule", adj: Bool = false, period: String? = nil, hosp: String? = nil, suspect: Bool = false
    )
      -> String?
    {
      AuditCommands.summaryFlagError(
        by: by, asAdjustments: adj, period: period, hospitals: hosp, includeSuspect: suspect)
    }
    #expect(check("rule,month") == nil)
    #expect(check("ward") != nil)
    #expect(check(adj: true) == "--as-adjustments needs --period YYYY or YYYY-MM")
    #expect(check(adj: true, period: "2024-13") == "--period must be YYYY or YYYY-MM, found '2024-13'")
    #expect(check(adj: true, period: "2024-02", hosp: "h", suspect: true) == nil)
    #expect(check(period: "2024") == "--period applies to --as-adjustments only")
    #expect(check(suspect: true) == "--include-suspect applies to --as-adjustments only")
    #expect(check(hosp: "h") == "--hospitals applies to --as-adjustments only")
  }
}
