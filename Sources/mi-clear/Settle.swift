import ArgumentParser
import MIClearing
import MICommandLine
import MICore

/// `mi-clear settle --year YYYY`: the year-end clearing per hospital and pool.
struct Settle: ParsableCommand {
  /// The command's name, help text and subcommands.
  static let configuration = CommandConfiguration(
    abstract: "Year-end clearing: settlement point value, payable amount, 结余留用/超支分担, minus prepayments.",
    discussion: """
      Per pool (insutype) the settlement point value is found from the budget, the
      医保支付比例 and the year's points (point_mode fixed, floating or elastic); each
      hospital's points amount, fund part, 考核系数, carve-outs, special cases, 集采结余
      return, 结余/超支 effect, deductions, the prepayments posted for the year, the
      deposit and its return make its clearing_amt. The kind "pool" record shows
      every identity with both sides; a run that would break one stops before
      writing anything.

      Example:
        mi-clear settle --year 2024 --params params-2024 \\
          --adjustments adj.ndjson scored.ndjson \\
          | jq -c 'select(.kind == "pool")'
      """)

  /// `--year`.
  @Option(help: ArgumentHelp("The year to clear.", valueName: "yyyy"))
  var year: String

  /// `--no-ledger`.
  @Flag(help: "Take no prepayments from the ledger (a simulation; prepaid_amt is 0).")
  var noLedger = false

  /// The flags prepay and settle share.
  @OptionGroup var options: RunOptions
  /// -o, --rejects, --db and the other flags every tool shares.
  @OptionGroup(title: "Common options") var common: CommonOptions

  /// Checks the flags before anything is opened.
  func validate() throws {
    try options.run.check()
    try options.checkStandardInput()
    try checkPeriod(year, month: false)
  }

  /// Runs the command: parse, call the library, report.
  func run() throws {
    var r = try ClearingRun(options, common: common, period: year, needsWorkspace: !noLedger && !options.run.partial)
    if try r.readPartial() { return }
    let posting = try r.posting("settle", year)
    var ledger: [LedgerLine] = []
    if !noLedger, let ws = r.run.ws {
      ledger = try ws.effectiveLines(tool: "mi-clear", kind: "prepay", periodPrefix: year + "-")
      if ledger.isEmpty { Diagnostics.warning("no prepayments posted for \(year) in \(ws.path)") }
    }
    let pools = try Settlement.run(
      params: r.params, totals: r.aggregator.totals, adjustments: r.adjustments, ledger: ledger,
      trimSamples: r.aggregator.trimSamples, registry: r.registry)
    for p in pools {
      try r.run.stream.emit { b in
        ClearingRecords.write(p, period: year, params: r.paramsName, into: &b)
        return p.lines.count + 1
      }
    }
    try r.run.finish(posting, lines: ClearingRecords.ledgerLines(pools), extra: r.extra + Settlement.summary(pools))
  }
}
