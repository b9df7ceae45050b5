import ArgumentParser
import Foundation
import MICapitation
import MIClearing
import MICommandLine
import MICore

/// `mi-capita`: outpatient capitation (门诊按人头付费), Lishui rules (丽医保发〔2020〕93号, seed 002).
struct MICapita: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mi-capita",
    abstract: "Outpatient capitation (门诊按人头付费) as Lishui defines it: monthly prepayment and year-end clearing.",
    discussion: """
      Reads outpatient settlements (psn_no, fixmedins_code, insutype, med_type,
      hifp_pay, special_amt, insuplc_admdvs, fix_blng_admdvs, setl_time; refunds as
      negative rows) and the [capitation] section of a params version. Four pools
      are cleared separately: insutype 310/390 × 普通门诊/特殊病种门诊. Settlements
      of persons insured elsewhere are outside; the pool's insured treated elsewhere
      count into R; 门诊特殊费用 are kept out of the points and paid back to their
      institution. Memory grows with institutions and distinct persons, never with
      settlements.

      Example: prepay each month, then clear the year against the posted
      prepayments:
        mi-catalog import params examples/params-2024.toml --name params-2024
        mi-capita prepay --month 2024-03 --params params-2024 --post opt-2024.ndjson
        mi-capita settle --year 2024 --params params-2024 --adjustments adj.ndjson \\
          --draft-date 2025-02-10 opt-2024.ndjson > capitation-2024.ndjson
      """,
    version: MIVersion.current,
    subcommands: [Prepay.self, Settle.self, LedgerCommands<CapitaLedger>.self])
}

/// The flags prepay and settle share.
struct RunOptions: ParsableArguments {
  /// --params, --adjustments (settle only), --post, --force, --partial, --merge.
  @OptionGroup var run: AggregateOptions

  /// `--threads N` (workers reading the settlements; partials of --merge are read in order).
  @OptionGroup var threads: ThreadOptions

  /// Settlement files.
  @Argument(
    help: ArgumentHelp(
      "Outpatient settlement files (NDJSON, .gz allowed); standard input when none or '-'.", valueName: "file"))
  var inputs: [String] = []
}

/// Validates the combination of --partial, --merge, --post and --rejects.
func checkRun(_ options: RunOptions, _ common: CommonOptions) throws {
  try options.run.check()
  if options.run.merge && common.rejects != nil {
    // Skipping a bad partial record would drop a whole shard's sums or persons and still look like a result.
    throw ValidationError("--rejects cannot skip a partial record: --merge stops at a bad one")
  }
}

/// What prepay and settle share: the params, the workspace when needed, the stream and the aggregate.
struct CapitationRun {
  /// The workspace, the stream, the aggregate, the digest and the shared flags.
  var run: AggregateRun<CapitationAggregate>
  let params: CapitationParams
  let paramsName: String
  let threads: Int

  /// Opens the params (workspace version or .toml file) and the stream; a bad params key stops before any output.
  init(_ flags: RunOptions, common: CommonOptions, year: String, month: Int?, needsWorkspace: Bool) throws {
    let (p, ws) = try common.params(flags.run.params, needsWorkspace: needsWorkspace, write: flags.run.post)
    params = try CapitationParams.load(p)
    for w in params.warnings { Diagnostics.warning(w) }
    paramsName = flags.run.params
    let state = CapitationAggregate(params: params, paramsName: paramsName, year: year, month: month)
    run = try AggregateRun(flags.run, common: common, inputs: flags.inputs, ws: ws, state: state)
    threads = flags.threads.count
  }

  /// Everything read.
  var aggregator: CapitationAggregator { run.state.aggregator }

  /// Reads every settlement (on `--threads` workers) or with `--merge` every partial, and with `--partial` writes
  /// the partial records and the summary line: nil when it did, else the totals.
  mutating func read() throws -> [String: PoolTotals]? {
    let (p, name, year, month) = (params, paramsName, aggregator.year, aggregator.month)
    try run.read(threads: threads) { CapitationAggregate(params: p, paramsName: name, year: year, month: month) }
    return try run.finishPartial(extra: aggregator.extra) ? nil : run.state.finish()
  }

  /// The summary-line parts of what was left out, and with `--merge` the partials read.
  var extra: [String] {
    var e = aggregator.extra
    if run.digest != nil && aggregator.outsidePeriod == 0 { e.insert("outside the period 0", at: 0) }
    if run.options.merge { e.append("partials \(run.partials)") }
    return e
  }

  /// The ledger posting of a run of `kind` over `period`, refused before anything is written when it would
  /// supersede the effective run with too few settlements (`LedgerGuard`), unless `--force`.
  func posting(_ kind: String, _ period: String) throws -> LedgerPosting {
    let p = LedgerPosting(
      tool: "mi-capita", kind: kind, period: period, records: Int64(aggregator.inPeriod),
      outside: aggregator.outsidePeriod, rejected: run.stream.counts.rejected, unit: "settlements")
    try run.checkPost(p)
    return p
  }
}
