import ArgumentParser
import MICapitation
import MIClearing
import MICommandLine
import MICore

/// `mi-capita prepay --month YYYY-MM`: the monthly prepayment per institution.
struct Prepay: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Monthly prepayment: each institution's 按项目 fund amount of the month × prepay_ratio (≥ 90%).",
    discussion: """
      Settlements outside the month are skipped (counted), so a year's file can feed
      every month. With --post the amounts go to the workspace ledger (tool
      mi-capita, kind prepay); posting the month again supersedes the earlier run
      (refused, unless --force, when the rerun has no settlements in the month or
      fewer than half of the effective run's), and settle reads the effective
      runs of the year; 'mi-capita ledger' lists them. --partial writes a shard's
      exact sums instead of results, and --merge finishes from the partials of
      every shard to the same bytes as one run.

      Example:
        mi-capita prepay --month 2024-03 --params params-2024 --post opt-2024.ndjson
      """)

  /// `--month`.
  @Option(help: ArgumentHelp("The month to prepay.", valueName: "yyyy-mm"))
  var month: String

  @OptionGroup var options: RunOptions
  @OptionGroup(title: "Common options") var common: CommonOptions

  func validate() throws {
    guard Period.isMonth(month) else { throw ValidationError("--month must be YYYY-MM, found '\(month)'") }
    try checkRun(options, common)
    if options.run.adjustments != nil {
      throw ValidationError("--adjustments applies to settle: a prepayment takes no adjustments")
    }
  }

  func run() throws {
    var r = try CapitationRun(
      options, common: common, year: String(month.prefix(4)), month: Int(month.suffix(2)), needsWorkspace: false)
    guard let totals = try r.read() else { return }
    let posting = try r.posting("prepay", month)
    let pools = Capitation.prepayMonth(params: r.params, totals: totals, month: Int(month.suffix(2))!)
    for p in pools {
      try r.run.stream.emit { b in
        CapitationRecords.write(p, month: month, paramsName: r.paramsName, into: &b)
        return p.lines.count + 1
      }
    }
    try r.run.finish(
      posting, lines: CapitationRecords.ledgerLines(pools), extra: r.extra + Capitation.prepaySummary(pools))
  }
}
