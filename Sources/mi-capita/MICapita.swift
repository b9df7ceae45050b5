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
    subcommands: [Prepay.self, Settle.self, Ledger.self])
}

/// The flags prepay and settle share.
struct RunOptions: ParsableArguments {
  /// `--params NAME`.
  @Option(
    help: ArgumentHelp(
      "Params version in the workspace (mi-catalog import params), or a .toml file to try before importing.",
      valueName: "name"))
  var params: String

  /// `--post`.
  @Flag(help: "Record the run in the workspace ledger (a rerun of the period supersedes the earlier run).")
  var post = false

  /// `--force`.
  @Flag(
    help:
      "With --post, supersede the effective run even with no settlements in the period or fewer than half of its.")
  var force = false

  /// `--threads N`.
  @Option(
    help: ArgumentHelp(
      "Workers for plain input files of 64 MiB or more (default 0: one per core; 1: read in order). Not used with --rejects, --post or --merge.",
      valueName: "n"))
  var threads = 0

  /// `--partial`.
  @Flag(
    help:
      "Write this shard's exact partial aggregates (kind capitation-partial: sums, counts, person hashes) instead of results."
  )
  var partial = false

  /// `--merge`.
  @Flag(
    help:
      "Read capitation-partial records of --partial runs (same params and period) instead of settlements, combine them, then finish."
  )
  var merge = false

  /// Settlement files.
  @Argument(
    help: ArgumentHelp(
      "Outpatient settlement files (NDJSON, .gz allowed); standard input when none or '-'.", valueName: "file"))
  var inputs: [String] = []
}

/// Validates the combination of --partial, --merge, --post and --rejects.
func checkRun(_ run: RunOptions, _ common: CommonOptions) throws {
  if run.partial && run.merge { throw ValidationError("--partial and --merge exclude each other") }
  if run.partial && run.post { throw ValidationError("--post records a finished run, not a --partial one") }
  if run.force && !run.post { throw ValidationError("--force applies to --post only") }
  if run.merge && common.rejects != nil {
    // Skipping a bad partial record would drop a whole shard's sums or persons and still look like a result.
    throw ValidationError("--rejects cannot skip a partial record: --merge stops at a bad one")
  }
}

/// What prepay and settle share: the params, the workspace when needed, the stream and the aggregator.
struct CapitationRun {
  let ws: Workspace?
  let params: CapitationParams
  let paramsName: String
  let stream: RecordStream
  var aggregator: CapitationAggregator
  var digest: SHA256?
  let inputs: [String]
  let threads: Int
  let sequentialOnly: Bool
  /// Records read by the parallel reader, when it was used.
  var parallelRecords: Int?
  /// `--partial`: write partial aggregates instead of results.
  let partial: Bool
  /// `--merge`: read partial aggregates instead of settlements.
  let merge: Bool
  /// With `--merge`, the partial headers read.
  var partials: Int?

  /// Opens the params (workspace version or .toml file) and the stream; a bad params key stops before any output.
  init(_ run: RunOptions, common: CommonOptions, year: String, month: Int?, needsWorkspace: Bool) throws {
    let (p, opened) = try common.params(run.params, needsWorkspace: needsWorkspace, write: run.post)
    ws = opened
    params = try CapitationParams.load(p)
    for w in params.warnings { Diagnostics.warning(w) }
    paramsName = run.params
    digest = run.post ? SHA256() : nil
    stream = try RecordStream(inputs: run.inputs, options: common.stream)
    aggregator = CapitationAggregator(params: params, year: year, month: month)
    inputs = run.inputs
    threads = run.threads == 0 ? ProcessInfo.processInfo.activeProcessorCount : run.threads
    sequentialOnly = common.rejects != nil || run.post
    partial = run.partial
    merge = run.merge
  }

  /// Reads every settlement into the aggregator (and the input digest when posting); with `--merge`, reads
  /// partials instead.
  mutating func aggregate() throws -> [String: PoolTotals] {
    if merge { return try mergePartials() }
    if threads > 1 && !sequentialOnly && ParallelRead.eligible(inputs) {
      // The parallel read counts its records only when it is through: a stopped run says so.
      Diagnostics.summaryOnError {
        "\(Diagnostics.tool): written 0, rejected 0; stopped by the error above (records read in parallel are not counted)"
      }
      let (merged, records) = try ParallelRead.run(
        inputs: inputs, threads: threads, params: params, year: aggregator.year, month: aggregator.month)
      aggregator = merged
      parallelRecords = records
      return merged.finish()
    }
    var d = digest
    // A local copy: the non-escaping closure's captured struct is checked for exclusivity at compile time.
    var agg = aggregator
    try stream.run { s in
      if d != nil {
        d!.update(s.line)
        d!.update(byte: 0x0A)
      }
      try agg.add(s)
      return .consumed
    }
    digest = d
    aggregator = agg
    return agg.finish()
  }

  /// `--merge`: reads the partial records (in order: a header must start each file) into the aggregator.
  mutating func mergePartials() throws -> [String: PoolTotals] {
    var d = digest
    var reader = CapitationPartialReader(
      params: params, paramsName: paramsName, year: aggregator.year, month: aggregator.month)
    let st = stream
    try stream.run { s in
      if d != nil {
        d!.update(s.line)
        d!.update(byte: 0x0A)
      }
      try reader.add(s, file: st.position.file, line: st.position.line)
      return .consumed
    }
    digest = d
    aggregator = reader.aggregator
    partials = reader.partials
    return aggregator.finish()
  }

  /// With `--partial`: writes the partial records and the summary line; returns true when it did.
  func finishPartial() throws -> Bool {
    guard partial else { return false }
    let out = stream.out
    let written = try aggregator.writePartial(paramsName: paramsName) { line in
      out.buffer.append(contentsOf: line)
      try out.flushIfNeeded()
    }
    stream.countWritten(written)
    try finish(extra: aggregator.extra)
    return true
  }

  /// The summary-line parts of what was left out, and with `--merge` the partials read.
  var extra: [String] {
    var e = aggregator.extra
    if digest != nil && aggregator.outsidePeriod == 0 { e.insert("outside the period 0", at: 0) }
    if let partials { e.append("partials \(partials)") }
    return e
  }

  /// With `--post`, refuses before anything is written a run that would supersede the effective run of the
  /// period with no settlements or fewer than half of its settlements (`LedgerGuard`), unless `--force`.
  func checkPost(_ run: RunOptions, kind: String, period: String) throws {
    guard run.post, let ws else { return }
    for r in try ws.ledgerRuns(tool: "mi-capita") where r.effective && r.kind == kind && r.period == period {
      let records = Int64(aggregator.inPeriod)
      if let e = LedgerGuard.refusal(
        previous: r, records: records, outside: aggregator.outsidePeriod, rejected: stream.counts.rejected,
        force: run.force, unit: "settlements")
      {
        throw e
      }
    }
  }

  /// With `--post`, records the run in the ledger (superseding an earlier run of the period; the guard is checked
  /// again inside the transaction); the summary part naming the posted run, or nil.
  func post(_ run: RunOptions, kind: String, period: String, lines: [LedgerLine]) throws -> String? {
    guard run.post, let ws, var d = digest else { return nil }
    let (records, outside, rejected) = (Int64(aggregator.inPeriod), aggregator.outsidePeriod, stream.counts.rejected)
    let posted = try ws.postRun(
      tool: "mi-capita", kind: kind, period: period, params: paramsName, inputSHA256: d.hexDigest(),
      records: records, lines: lines
    ) {
      LedgerGuard.refusal(
        previous: $0, records: records, outside: outside, rejected: rejected, force: run.force, unit: "settlements")
    }
    return "posted run \(posted.id)"
  }

  /// Closes the output and prints the summary line (the parallel reader counts its own records).
  func finish(extra: [String]) throws {
    guard let records = parallelRecords else { return try stream.finish(extra: extra) }
    try stream.out.finish()
    Diagnostics.summaryOnError(nil)
    var counts = Counts()
    counts.read = records
    counts.written = stream.counts.written
    Diagnostics.line("\(Diagnostics.tool): \(counts.summary(extra))")
  }
}
