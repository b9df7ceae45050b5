import ArgumentParser
import Foundation
import MIClearing
import MICommandLine
import MICore

/// `mi-clear`: point values, monthly prepayment, year-end clearing and the clearing ledger.
struct MIClear: ParsableCommand {
  /// The command's name, help text and subcommands.
  static let configuration = CommandConfiguration(
    commandName: "mi-clear",
    abstract: "Turn a pool's budget into a point value and hospitals' points into money, exact to the fen.",
    discussion: """
      Reads scored cases (from mi-score: points, case_class, fixmedins_code,
      insutype, setl_time, medfee_sumamt, hifp_pay, psn_part_amt, hv_mcs_amt), the
      [clearing] section of a params version in the workspace, and an optional
      adjustments file (NDJSON: fixmedins_code, pool, period, adj_amt, adj_type,
      reason). Writes one record per pool and hospital and one kind "pool" record
      per pool with the point value, its inputs and the reconciliation check.
      Memory grows with hospitals, not cases.

      Example: prepay March, post it to the ledger, then clear the year against
      the posted prepayments:
        mi-score --params params-2024 --catalog dip-2024 grouped.ndjson \\
          > scored.ndjson
        mi-clear prepay --month 2024-03 --params params-2024 --post scored.ndjson
        mi-clear settle --year 2024 --params params-2024 --adjustments adj.ndjson \\
          --post scored.ndjson
        mi-clear ledger
      """,
    version: MIVersion.current,
    subcommands: [Prepay.self, Settle.self, LedgerCommands<ClearLedger>.self, Benefit.self])
}

/// The flags prepay and settle share.
struct RunOptions: ParsableArguments {
  /// --params, --adjustments, --post, --force, --partial, --merge.
  @OptionGroup var run: AggregateOptions

  /// `--hospitals NAME`.
  @Option(
    help: ArgumentHelp(
      "Hospital registry version (mi-catalog import hospitals): adjustments may name its hospitals without cases.",
      valueName: "name"))
  var hospitals: String?

  /// Case files.
  @Argument(
    help: ArgumentHelp("Scored case files (NDJSON, .gz allowed); standard input when none or '-'.", valueName: "file"))
  var inputs: [String] = []

  /// `--adjustments -` reads standard input (`mi-audit summary --as-adjustments … | mi-clear settle --adjustments -`),
  /// so the cases must then come from files: standard input cannot be read twice.
  func checkStandardInput() throws {
    guard run.adjustments == "-", inputs.isEmpty || inputs.contains("-") else { return }
    throw ValidationError(
      "--adjustments - reads standard input, so name the case files on the command line (not '-')")
  }
}

/// What prepay and settle share: load params and adjustments, aggregate the cases of the period.
struct ClearingRun {
  /// The workspace, the stream, the per-hospital totals (`CaseAggregator`), the digest and the shared flags.
  var run: AggregateRun<CaseAggregator>
  /// The validated [clearing] section.
  let params: ClearingParams
  /// The params version (or file) named on the command line.
  let paramsName: String
  /// The adjustments of the run's period.
  let adjustments: [Adjustment]
  /// Adjustments of other periods, for the summary line.
  let adjustmentsIgnored: Int
  /// The codes of the hospital registry (`--hospitals`), or nil.
  var registry: Set<String>?

  /// Opens everything and reads the adjustments (a bad one stops the run before any output).
  init(_ flags: RunOptions, common: CommonOptions, period: String, needsWorkspace: Bool) throws {
    let options = flags.run
    let (p, ws) = try common.params(
      options.params, needsWorkspace: needsWorkspace || options.post || flags.hospitals != nil, write: options.post)
    if let name = flags.hospitals, let ws {
      registry = Set(try ws.codes(try ws.refSet(name, kind: "hospitals")).map(\.code))
    }
    params = try ClearingParams.loadForClearing(p)
    paramsName = options.params
    var digest: SHA256? = options.post ? SHA256() : nil
    var all: [Adjustment] = []
    if let path = options.adjustments { all = try Adjustment.read(path, digest: &digest) }
    adjustments = all.filter { $0.applies(to: period) }
    adjustmentsIgnored = all.count - adjustments.count
    let aggregator = CaseAggregator(params: params, paramsName: options.params, period: period)
    run = try AggregateRun(options, common: common, inputs: flags.inputs, ws: ws, state: aggregator, digest: digest)
    if params.pointTrim == "p2.5-p97.5" && (options.partial || options.merge) {
      throw MIError.usage("point_trim \(params.pointTrim) needs the cases themselves: not with --partial or --merge")
    }
  }

  /// The per-hospital totals.
  var aggregator: CaseAggregator { run.state }

  /// Reads the cases (or the partials) and, with `--partial`, writes the totals and finishes: true when it did.
  mutating func readPartial() throws -> Bool {
    try run.read()
    return try run.finishPartial(extra: extra)
  }

  /// The ledger posting of a run of `kind` over `period`, refused before anything is written when it would
  /// supersede the effective run with too few cases (`LedgerGuard`), unless `--force`.
  func posting(_ kind: String, _ period: String) throws -> LedgerPosting {
    let p = LedgerPosting(
      tool: "mi-clear", kind: kind, period: period, records: aggregator.totals.values.reduce(0) { $0 + $1.cases },
      outside: aggregator.outside, rejected: run.stream.counts.rejected, unit: "cases")
    try run.checkPost(p)
    return p
  }

  /// The summary parts shared by both commands.
  var extra: [String] {
    var e: [String] = []
    if aggregator.outside > 0 || run.digest != nil { e.append("outside the period \(aggregator.outside)") }
    e.append("adjustments \(adjustments.count)")
    if adjustmentsIgnored > 0 { e.append("adjustments of other periods \(adjustmentsIgnored)") }
    return e
  }
}

/// Validates a period flag.
func checkPeriod(_ text: String, month: Bool) throws {
  if month ? !Period.isMonth(text) : !Period.isYear(text) {
    throw ValidationError(month ? "--month must be YYYY-MM, found '\(text)'" : "--year must be YYYY, found '\(text)'")
  }
}
