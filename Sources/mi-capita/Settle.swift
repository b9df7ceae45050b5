import ArgumentParser
import MICapitation
import MIClearing
import MICommandLine
import MICore

/// Where settle takes the year's prepayments from.
enum PrepaidSource: String, ExpressibleByArgument, CaseIterable {
  /// The effective `mi-capita prepay` runs of the year in the workspace ledger.
  case ledger
  /// Recomputed month by month from the settlements (a year not prepaid through the ledger).
  case computed
  /// None (a dry run of the formula).
  case none
}

/// `mi-capita settle --year YYYY`: the year-end clearing per pool and institution.
struct Settle: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Year-end clearing: T = B ± 调整额 − R − S ± X, v = T / (N × 100), clearing_i = P_i × v + S_i − 预拨 − 扣款.",
    discussion: """
      Writes per pool a kind "pool" record (budget_amt, adjustment_amt, remote_amt,
      special_amt, ffs_amt, share_amt, total_amt, persons, points, point_value,
      check) and per institution a kind "capitation" record (fund_amt, weight,
      points, points_amt, special_amt, prepaid_amt, deduction_amt, clearing_amt).
      Institution amounts sum to T + S to the fen (largest remainder, ties by
      fixmedins_code); N only sets the point value. Adjustments of type deduction
      (审核扣款) and assessment (考核扣款) are deducted; other types are counted and
      left to mi-clear. --draft-date adds the 拟清算方案 objection deadline (7
      working days).

      Distributed: --partial on each slice of the settlements writes exact partial
      aggregates (sums, counts, person hashes); --merge on all the partials finishes
      them, with --adjustments, --prepaid, --draft-date and --post, to the same bytes
      as one run over every settlement.

      Example:
        mi-capita settle --year 2024 --params params-2024 \\
          --adjustments adj.ndjson --draft-date 2025-02-10 \\
          opt-2024.ndjson > capitation-2024.ndjson
      """)

  /// `--year`.
  @Option(help: ArgumentHelp("The year to clear.", valueName: "yyyy"))
  var year: String

  /// `--prepaid`.
  @Option(help: ArgumentHelp("Prepayments from: ledger (default), computed, or none.", valueName: "source"))
  var prepaid: PrepaidSource?

  /// `--draft-date`.
  @Option(help: ArgumentHelp("Date the 拟清算方案 is sent; adds objection_deadline.", valueName: "yyyy-mm-dd"))
  var draftDate: String?

  @OptionGroup var options: RunOptions
  @OptionGroup(title: "Common options") var common: CommonOptions

  func validate() throws {
    guard Period.isYear(year) else { throw ValidationError("--year must be YYYY, found '\(year)'") }
    if let d = draftDate, WorkingDays.parse(d) == nil {
      throw ValidationError("--draft-date must be a date yyyy-mm-dd, found '\(d)'")
    }
    try checkRun(options, common)
    if options.run.partial {
      // These shape the finished result only: a partial that ignored them would hide a mistake.
      for (given, flag) in [
        (options.run.adjustments != nil, "--adjustments"), (prepaid != nil, "--prepaid"),
        (draftDate != nil, "--draft-date"),
      ]
      where given {
        throw ValidationError("\(flag) applies when finishing: give it to --merge, not to --partial")
      }
    }
  }

  func run() throws {
    let prepaid = self.prepaid ?? .ledger
    var r = try CapitationRun(
      options, common: common, year: year, month: nil, needsWorkspace: prepaid == .ledger && !options.run.partial)
    var adj: [Adjustment] = []
    if let path = options.run.adjustments {
      adj = try Adjustment.read(path, digest: &r.run.digest).filter { $0.applies(to: year) }
    }
    guard let totals = try r.read() else { return }
    let posting = try r.posting("settle", year)
    let deductions = try Capitation.deductions(adj, totals: totals)
    let pre: [String: [String: Int64]]?
    switch prepaid {
    case .ledger: pre = try r.run.ws.map { ws throws(MIError) in try Capitation.ledgerPrepaid(ws, year: year) } ?? [:]
    case .computed: pre = nil
    case .none: pre = [:]
    }
    let draft = draftDate.flatMap { CapitationRecords.Draft(date: $0, params: r.params) }
    let results = try Capitation.settleYear(params: r.params, totals: totals, prepaid: pre, deductions: deductions)
    for c in results {
      try r.run.stream.emit { b in
        CapitationRecords.write(c, year: year, params: r.params, paramsName: r.paramsName, draft: draft, into: &b)
        return c.institutions.count + 1
      }
    }
    let extra = r.extra + Capitation.settleSummary(results, deductions: deductions)
    try r.run.finish(posting, lines: CapitationRecords.ledgerLines(results), extra: extra)
  }
}
