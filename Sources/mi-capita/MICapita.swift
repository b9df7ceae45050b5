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
  let ws: Workspace?
  let params: CapitationParams
  let paramsName: String
  let stream: RecordStream
  var state: CapitationAggregate
  var digest: SHA256?
  let threads: Int
  /// Partial files read (`--merge`).
  var partials = 0
  /// The shared flags.
  let options: AggregateOptions

  /// Opens the params (workspace version or .toml file) and the stream; a bad params key stops before any output.
  init(_ flags: RunOptions, common: CommonOptions, year: String, month: Int?, needsWorkspace: Bool) throws {
    let run = flags.run
    options = run
    let (p, opened) = try common.params(run.params, needsWorkspace: needsWorkspace, write: run.post)
    ws = opened
    params = try CapitationParams.load(p)
    for w in params.warnings { Diagnostics.warning(w) }
    paramsName = run.params
    digest = run.post ? SHA256() : nil
    stream = try RecordStream(inputs: flags.inputs, options: common.stream)
    state = CapitationAggregate(params: params, paramsName: run.params, year: year, month: month)
    threads = flags.threads.count
  }

  /// Everything read.
  var aggregator: CapitationAggregator { state.aggregator }

  /// Reads every settlement into the aggregator (and the input digest when posting), on `--threads` workers;
  /// with `--merge`, reads partials instead.
  mutating func aggregate() throws -> [String: PoolTotals] {
    let (p, name, year, month) = (params, paramsName, aggregator.year, aggregator.month)
    partials = try stream.aggregate(into: &state, merge: options.merge, threads: threads, digest: &digest) {
      CapitationAggregate(params: p, paramsName: name, year: year, month: month)
    }
    return state.finish()
  }

  /// With `--partial`: writes the partial records and the summary line; returns true when it did.
  mutating func finishPartial() throws -> Bool {
    guard options.partial else { return false }
    try stream.emitPartials(of: &state)
    try finish(extra: aggregator.extra)
    return true
  }

  /// The summary-line parts of what was left out, and with `--merge` the partials read.
  var extra: [String] {
    var e = aggregator.extra
    if digest != nil && aggregator.outsidePeriod == 0 { e.insert("outside the period 0", at: 0) }
    if options.merge { e.append("partials \(partials)") }
    return e
  }

  /// The ledger posting of a run of `kind` over `period`.
  func posting(_ kind: String, _ period: String) -> LedgerPosting {
    LedgerPosting(
      tool: "mi-capita", kind: kind, period: period, records: Int64(aggregator.inPeriod),
      outside: aggregator.outsidePeriod, rejected: stream.counts.rejected, unit: "settlements")
  }

  /// With `--post`, refuses before anything is written a run that would supersede the effective run of the
  /// period with no settlements or fewer than half of its settlements (`LedgerGuard`), unless `--force`.
  func checkPost(kind: String, period: String) throws {
    try posting(kind, period).check(options, ws)
  }

  /// With `--post`, records the run in the ledger; the summary part naming the posted run, or nil.
  func post(kind: String, period: String, lines: [LedgerLine]) throws -> String? {
    try posting(kind, period).post(options, ws, digest: digest, lines: lines)
  }

  /// Closes the output and prints the summary line.
  func finish(extra: [String]) throws { try stream.finish(extra: extra) }

}
