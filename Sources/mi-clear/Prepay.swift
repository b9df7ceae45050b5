import ArgumentParser
import MIClearing
import MICommandLine
import MICore

/// `mi-clear prepay --month YYYY-MM`: the monthly prepayment per hospital.
struct Prepay: ParsableCommand {
  /// The command's name, help text and subcommands.
  static let configuration = CommandConfiguration(
    abstract: "Monthly prepayment: (月度总分值 × 年初点值 − 患者支付) × 预拨比例 − 审核扣款, with the quality deposit.",
    discussion: """
      Cases whose setl_time is outside the month are skipped (counted), so a
      year's file can feed every month. Special cases (case_class special) wait
      for the year end. Deductions, assessment deductions and turnover funds of
      the month are applied; other adjustment types wait for settle. With --post
      the prepaid amount, the deposit withheld and the turnover fund go to the
      ledger; posting the month again supersedes, but a rerun with no cases in
      the month (or fewer than half of the effective run's) is refused unless
      --force. setl_time must be yyyy-MM-dd HH:mm:ss: another spelling (Excel's
      2024/5/28 12:00) is bad data, not a case outside the month.

      Example:
        mi-clear prepay --month 2024-03 --params params-2024 \\
          --adjustments adj.ndjson --post scored.ndjson
      """)

  /// `--month`.
  @Option(help: ArgumentHelp("The month to prepay.", valueName: "yyyy-mm"))
  var month: String

  /// The flags prepay and settle share.
  @OptionGroup var options: RunOptions
  /// -o, --rejects, --db and the other flags every tool shares.
  @OptionGroup(title: "Common options") var common: CommonOptions

  /// Checks the flags before anything is opened.
  func validate() throws {
    try options.run.check()
    try options.checkStandardInput()
    try checkPeriod(month, month: true)
  }

  /// Runs the command: parse, call the library, report.
  func run() throws {
    var r = try ClearingRun(options, common: common, period: month, needsWorkspace: false)
    if try r.readPartial() { return }
    let posting = try r.posting("prepay", month)
    let pools = try Prepayment.run(
      params: r.params, totals: r.aggregator.totals, adjustments: r.adjustments, registry: r.registry)
    for p in pools {
      try r.run.stream.emit { b in
        ClearingRecords.write(
          p, period: month, params: r.paramsName, ratio: r.params.monthlyRatio, deposit: r.params.qualityDeposit,
          into: &b)
        return p.lines.count + 1
      }
    }
    try r.run.finish(posting, lines: Prepayment.ledgerLines(pools), extra: r.extra + Prepayment.summary(pools))
  }
}
