import MICore

/// The points ledger in the workspace (`mi-audit doctors --post`): one run of tool "mi-audit", kind "points" per
/// year, posted like mi-clear's runs (DESIGN.md §5): a rerun of the year supersedes the earlier run in one
/// transaction, `mi-audit ledger restore RUN` revives one, and `LedgerGuard` refuses, unless forced, a rerun that
/// would replace a real run by one with no confirmed findings in the year or fewer than half of its.
public struct PointsLedger {
  /// The tool and kind of the runs.
  public static let tool = "mi-audit", kind = "points"
  /// What a run's records are called in a refusal.
  public static let unit = "confirmed findings"

  /// The year posted.
  public var year: String
  /// The rule set named on the command line (kept as the run's params).
  public var rules: String
  /// The events of the year (confirmed findings with a doctor and points): what the guard compares.
  public var records: Int64
  /// Confirmed findings of other years (shown in a refusal), and findings set aside by `--rejects`.
  public var outside: Int, rejected: Int
  /// `--force`.
  public var force: Bool

  /// Creates a posting.
  public init(year: String, rules: String, records: Int64, outside: Int, rejected: Int, force: Bool) {
    (self.year, self.rules, self.records, self.outside, self.rejected, self.force) =
      (year, rules, records, outside, rejected, force)
  }

  /// The guard's refusal to supersede `previous`, or nil.
  private func refusal(_ previous: LedgerRun) -> MIError? {
    LedgerGuard.refusal(
      previous: previous, records: records, outside: outside, rejected: rejected, force: force,
      unit: PointsLedger.unit, check: "the findings and their occur_date")
  }

  /// Refuses, before anything is written, a post the guard would refuse.
  public func check(_ ws: Workspace) throws(MIError) {
    for r in try ws.ledgerRuns(tool: PointsLedger.tool)
    where r.effective && r.kind == PointsLedger.kind && r.period == year {
      if let e = refusal(r) { throw e }
    }
  }

  /// Posts the standings (the guard is checked again inside the transaction); returns the run.
  public func post(_ ws: Workspace, inputSHA256: String, standings: [DoctorStanding]) throws(MIError) -> LedgerRun {
    try ws.postRun(
      tool: PointsLedger.tool, kind: PointsLedger.kind, period: year, params: rules, inputSHA256: inputSHA256,
      records: records, lines: DoctorRecords.ledgerLines(standings)
    ) { refusal($0) }
  }
}
