import ArgumentParser
import MICore

/// The flags of `mi-clear ledger` and `mi-capita ledger`.
public struct LedgerListOptions: ParsableArguments {
  /// `--kind`.
  @Option(help: ArgumentHelp("Only runs of this kind: prepay or settle (mi-audit: points).", valueName: "kind"))
  public var kind: String?

  /// `--period`.
  @Option(help: ArgumentHelp("Only periods starting with this text (2024, 2024-03).", valueName: "prefix"))
  public var period: String?

  /// `--all`.
  @Flag(help: "Also list the superseded runs (and, with --lines, their lines); 'ledger restore RUN' revives one.")
  public var all = false

  /// `--lines`.
  @Flag(help: "Also list the lines of the matching runs (the effective ones; every one with --all).")
  public var lines = false

  /// Creates the defaults.
  public init() {}

  /// Checks `--kind` against the run kinds of the tool's ledger before anything is opened.
  public func check(kinds: [String]) throws {
    if let kind, !kinds.contains(kind) { throw ValidationError("--kind must be \(kinds.joined(separator: " or "))") }
  }
}

/// What the ledger commands of mi-clear and mi-capita do, for one tool's runs.
public enum LedgerCommand {
  /// Writes the matching runs as kind "ledger-run" records (oldest first), then with `--lines` their lines as kind
  /// "ledger-line" records (by run kind, period and run, then pool, hospital and item).
  public static func list(tool: String, _ o: LedgerListOptions, common: CommonOptions) throws {
    let ws = try common.workspace(.read)
    let out = try OutputFile(path: common.output)
    let runs = try ws.ledgerRuns(tool: tool).filter { r in
      (o.all || r.effective) && (o.kind == nil || r.kind == o.kind)
        && (o.period == nil || r.period.hasPrefix(o.period!))
    }
    for r in runs { write(r, into: &out.buffer) }
    if o.lines {
      let ordered = runs.sorted { ($0.kind, $0.period, $0.id) < ($1.kind, $1.period, $1.id) }
      for r in ordered {
        for l in try ws.runLines(r.id) {
          var w = JSONWriter()
          w.begin(&out.buffer)
          w.string("kind", "ledger-line", &out.buffer)
          w.int("run_id", r.id, &out.buffer)
          w.string("run_kind", r.kind, &out.buffer)
          w.string("period", r.period, &out.buffer)
          w.string("pool", l.pool, &out.buffer)
          w.string("fixmedins_code", l.fixmedinsCode, &out.buffer)
          w.string("item", l.item, &out.buffer)
          w.fen("amount", l.amountFen, &out.buffer)
          w.bool("effective", r.effective, &out.buffer)
          w.end(&out.buffer)
        }
        try out.flushIfNeeded()
      }
    }
    try out.finish()
  }

  /// Makes the superseded run `id` effective again; writes the restored run and the one it replaced.
  public static func restore(tool: String, id: Int64, common: CommonOptions) throws {
    let ws = try common.workspace(.write)
    let out = try OutputFile(path: common.output)
    let (restored, replaced) = try ws.restoreRun(id, tool: tool)
    write(restored, into: &out.buffer)
    if let replaced { write(replaced, into: &out.buffer) }
    try out.finish()
    let was = replaced.map { "; run \($0.id) is superseded by it" } ?? ""
    Diagnostics.line(
      "\(Diagnostics.tool): run \(restored.id) (\(restored.kind) \(restored.period)) is effective again\(was)")
  }

  /// One kind "ledger-run" record.
  static func write(_ r: LedgerRun, into out: inout [UInt8]) {
    var w = JSONWriter()
    w.begin(&out)
    w.string("kind", "ledger-run", &out)
    w.int("id", r.id, &out)
    w.string("tool", r.tool, &out)
    w.string("run_kind", r.kind, &out)
    w.string("period", r.period, &out)
    w.string("params", r.params, &out)
    w.string("tool_version", r.toolVersion, &out)
    w.string("input_sha256", r.inputSHA256, &out)
    w.int("records", r.records, &out)
    w.string("posted_at", r.postedAt, &out)
    w.int("superseded_by", r.supersededBy, &out)
    w.bool("effective", r.effective, &out)
    w.end(&out)
  }
}

/// `restore RUN`, the same for both tools but for the tool whose runs it touches.
public struct LedgerRestoreArguments: ParsableArguments {
  /// The run.
  @Argument(help: ArgumentHelp("The id of a superseded run (see 'ledger --all').", valueName: "run"))
  public var run: Int64

  /// Creates the defaults.
  public init() {}
}
