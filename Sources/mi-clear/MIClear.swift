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
    subcommands: [Prepay.self, Settle.self, Ledger.self, Benefit.self])
}

/// The flags prepay and settle share.
struct RunOptions: ParsableArguments {
  /// `--params NAME`.
  @Option(
    help: ArgumentHelp(
      "Params version in the workspace (mi-catalog import params), or a .toml file to try before importing.",
      valueName: "name"))
  var params: String

  /// `--adjustments FILE`.
  @Option(
    help: ArgumentHelp(
      "Adjustments (NDJSON: fixmedins_code, pool, period, adj_amt, adj_type, reason).", valueName: "file"))
  var adjustments: String?

  /// `--hospitals NAME`.
  @Option(
    help: ArgumentHelp(
      "Hospital registry version (mi-catalog import hospitals): adjustments may name its hospitals without cases.",
      valueName: "name"))
  var hospitals: String?

  /// `--post`.
  @Flag(help: "Record the run in the workspace ledger (a rerun of the period supersedes the earlier run).")
  var post = false

  /// `--force`.
  @Flag(
    help:
      "With --post, supersede the effective run even with no cases in the period or fewer than half of its cases.")
  var force = false

  /// `--partial`.
  @Flag(help: "Write this shard's exact per-hospital totals (kind clearing-partial) instead of clearing.")
  var partial = false

  /// `--merge`.
  @Flag(help: "Read clearing-partial records of --partial runs instead of cases, sum them, then clear.")
  var merge = false

  /// Case files.
  @Argument(
    help: ArgumentHelp("Scored case files (NDJSON, .gz allowed); standard input when none or '-'.", valueName: "file"))
  var inputs: [String] = []
}

/// What prepay and settle share: load params and adjustments, aggregate the cases of the period.
struct ClearingRun {
  /// The workspace, when the run needs one (params by name, the ledger, --post).
  let ws: Workspace?
  /// The validated [clearing] section.
  let params: ClearingParams
  /// The params version (or file) named on the command line.
  let paramsName: String
  /// The adjustments of the run's period.
  let adjustments: [Adjustment]
  /// The case stream and the output.
  let stream: RecordStream
  /// The per-hospital totals.
  let aggregator: CaseAggregator
  /// Whether the inputs are clearing-partial records (--merge).
  let merge: Bool
  /// SHA-256 of the inputs, kept only with --post.
  var digest: SHA256?
  /// Adjustments of other periods, for the summary line.
  var adjustmentsIgnored = 0
  /// The codes of the hospital registry (`--hospitals`), or nil.
  var registry: Set<String>?

  /// Opens everything and reads the adjustments (a bad one stops the run before any output).
  init(_ run: RunOptions, common: CommonOptions, period: String, needsWorkspace: Bool) throws {
    let (p, opened) = try common.params(
      run.params, needsWorkspace: needsWorkspace || run.post || run.hospitals != nil, write: run.post)
    ws = opened
    if let name = run.hospitals, let ws = opened {
      registry = Set(try ws.codes(try ws.refSet(name, kind: "hospitals")).map(\.code))
    }
    params = try ClearingParams.load(p)
    // An imported version was checked by mi-catalog; a file tried directly gets the same check of its [clearing]
    // keys, so a typo is an error rather than a silent default.
    if let typo = p.unusedKeys().first(where: { $0.hasPrefix("clearing.") }) {
      throw p.invalid(typo, "unknown key: mi-clear does not read it")
    }
    paramsName = run.params
    digest = run.post ? SHA256() : nil
    var all: [Adjustment] = []
    if let path = run.adjustments { all = try Adjustment.read(path, digest: &digest) }
    adjustments = all.filter { $0.applies(to: period) }
    adjustmentsIgnored = all.count - adjustments.count
    stream = try RecordStream(inputs: run.inputs, options: common.stream)
    aggregator = CaseAggregator(params: params, paramsName: run.params, period: period)
    merge = run.merge
    if params.pointTrim == "p2.5-p97.5" && (run.partial || run.merge) {
      throw MIError.usage("point_trim \(params.pointTrim) needs the cases themselves: not with --partial or --merge")
    }
  }

  /// Reads every case into the aggregator.
  mutating func aggregate() throws {
    var d = digest
    let agg = aggregator
    let merging = merge
    try stream.run { s in
      if d != nil {
        d!.update(s.line)
        d!.update(byte: 0x0A)
      }
      if merging { try agg.merge(s) } else { try agg.add(s) }
      return .consumed
    }
    digest = d
  }

  /// With `--partial`: writes the totals and finishes; returns true when it did.
  func finishPartial(_ run: RunOptions, period: String) throws -> Bool {
    guard run.partial else { return false }
    stream.countWritten(
      Partials.write(aggregator.totals, period: period, params: paramsName, into: &stream.out.buffer))
    try stream.finish(extra: extra)
    return true
  }

  /// The cases of the period (special cases included).
  var records: Int64 { aggregator.totals.values.reduce(0) { $0 + $1.cases } }

  /// With `--post`, refuses before anything is written a run that would supersede the effective run of the
  /// period with no cases or fewer than half of its cases (`LedgerGuard`), unless `--force`.
  func checkPost(_ run: RunOptions, kind: String, period: String) throws {
    guard run.post, let ws else { return }
    for r in try ws.ledgerRuns(tool: "mi-clear") where r.effective && r.kind == kind && r.period == period {
      if let e = LedgerGuard.refusal(
        previous: r, records: records, outside: aggregator.outside, rejected: stream.counts.rejected, force: run.force,
        unit: "cases")
      {
        throw e
      }
    }
  }

  /// With `--post`, records the run (the guard is checked again inside the transaction); the summary part naming
  /// the posted run, or nil.
  func post(_ run: RunOptions, kind: String, period: String, lines: [LedgerLine]) throws -> String? {
    guard run.post, let ws, var d = digest else { return nil }
    let (records, outside, rejected) = (self.records, aggregator.outside, stream.counts.rejected)
    let posted = try ws.postRun(
      tool: "mi-clear", kind: kind, period: period, params: paramsName, inputSHA256: d.hexDigest(),
      records: records, lines: lines
    ) {
      LedgerGuard.refusal(
        previous: $0, records: records, outside: outside, rejected: rejected, force: run.force, unit: "cases")
    }
    return "posted run \(posted.id)"
  }

  /// The summary parts shared by both commands.
  var extra: [String] {
    var e: [String] = []
    if aggregator.outside > 0 || digest != nil { e.append("outside the period \(aggregator.outside)") }
    e.append("adjustments \(adjustments.count)")
    if adjustmentsIgnored > 0 { e.append("adjustments of other periods \(adjustmentsIgnored)") }
    return e
  }
}

/// Validates the combination of --partial, --merge and --post.
func checkRun(_ run: RunOptions) throws {
  if run.partial && run.merge { throw ValidationError("--partial and --merge exclude each other") }
  if run.partial && run.post { throw ValidationError("--post records a finished run, not a --partial one") }
  if run.force && !run.post { throw ValidationError("--force applies to --post only") }
}

/// Validates a period flag.
func checkPeriod(_ text: String, month: Bool) throws {
  if month ? !Period.isMonth(text) : !Period.isYear(text) {
    throw ValidationError(month ? "--month must be YYYY-MM, found '\(text)'" : "--year must be YYYY, found '\(text)'")
  }
}
