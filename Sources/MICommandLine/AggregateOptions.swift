import ArgumentParser
import MICore

/// The flags of an aggregating run (`mi-clear prepay|settle`, `mi-capita prepay|settle`): the params, the
/// adjustments, posting to the ledger, and distributed runs (`--partial` on each shard, `--merge` on the partials).
/// A tool that takes no adjustments says so in its `validate` (`refuseAdjustments`).
public struct AggregateOptions: ParsableArguments {
  /// `--params NAME`.
  @Option(
    help: ArgumentHelp(
      "Params version in the workspace (mi-catalog import params), or a .toml file to try before importing.",
      valueName: "name"))
  public var params: String

  /// `--adjustments FILE`.
  @Option(
    help: ArgumentHelp(
      "Adjustments (NDJSON: fixmedins_code, pool, period, adj_amt, adj_type, reason).", valueName: "file"))
  public var adjustments: String?

  /// `--post`.
  @Flag(help: "Record the run in the workspace ledger (a rerun of the period supersedes the earlier run).")
  public var post = false

  /// `--force`.
  @Flag(
    help:
      "With --post, supersede the effective run even with no records in the period or fewer than half of its records."
  )
  public var force = false

  /// `--partial`, `--merge`.
  @OptionGroup public var distributed: PartialOptions

  /// Creates the defaults.
  public init() {}

  /// `--partial`: write partial records instead of results.
  public var partial: Bool { distributed.partial }
  /// `--merge`: read partial records instead of records.
  public var merge: Bool { distributed.merge }

  /// Checks the combination of `--partial`, `--merge`, `--post` and `--force` before anything is opened.
  public func check() throws {
    if partial && merge { throw ValidationError("--partial and --merge exclude each other") }
    if partial && post { throw ValidationError("--post records a finished run, not a --partial one") }
    if force && !post { throw ValidationError("--force applies to --post only") }
  }
}

/// `--partial` and `--merge` of every aggregating command (the partial files: mi-clear(1), PARTIAL FILES).
public struct PartialOptions: ParsableArguments {
  /// `--partial`.
  @Flag(help: "Write this shard's exact partial aggregates (NDJSON) instead of results, for a later --merge.")
  public var partial = false

  /// `--merge`.
  @Flag(help: "Read the partial records of --partial runs instead of records, combine them, then finish.")
  public var merge = false

  /// Creates the defaults.
  public init() {}
}

/// What a run posts to the workspace ledger with `--post`, and the guard against a bad rerun (`LedgerGuard`).
public struct LedgerPosting {
  /// The tool whose ledger it is (`mi-clear`, `mi-capita`).
  public var tool: String
  /// The run kind (`prepay`, `settle`) and period.
  public var kind: String, period: String
  /// The records of the period, those outside it, and those rejected: what the guard compares.
  public var records: Int64, outside: Int, rejected: Int
  /// What the records are called in a refusal (`cases`, `settlements`).
  public var unit: String

  /// Creates a posting.
  public init(
    tool: String, kind: String, period: String, records: Int64, outside: Int, rejected: Int, unit: String
  ) {
    (self.tool, self.kind, self.period) = (tool, kind, period)
    (self.records, self.outside, self.rejected, self.unit) = (records, outside, rejected, unit)
  }

  private func refusal(_ previous: LedgerRun, force: Bool) -> MIError? {
    LedgerGuard.refusal(
      previous: previous, records: records, outside: outside, rejected: rejected, force: force, unit: unit)
  }

  /// With `--post`, refuses before anything is written a run that would supersede the effective run of the
  /// period with no records or fewer than half of its records, unless `--force`.
  public func check(_ options: AggregateOptions, _ ws: Workspace?) throws {
    guard options.post, let ws else { return }
    for r in try ws.ledgerRuns(tool: tool) where r.effective && r.kind == kind && r.period == period {
      if let e = refusal(r, force: options.force) { throw e }
    }
  }

  /// With `--post`, records the run (the guard is checked again inside the transaction); the summary part naming
  /// the posted run, or nil.
  public func post(_ options: AggregateOptions, _ ws: Workspace?, digest: SHA256?, lines: [LedgerLine]) throws
    -> String?
  {
    guard options.post, let ws, var d = digest else { return nil }
    let posted = try ws.postRun(
      tool: tool, kind: kind, period: period, params: options.params, inputSHA256: d.hexDigest(), records: records,
      lines: lines
    ) { refusal($0, force: options.force) }
    return "posted run \(posted.id)"
  }
}
