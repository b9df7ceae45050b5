import ArgumentParser
import MICommandLine
import MICore

/// `mi-clear ledger`: the posted runs, oldest first.
struct Ledger: ParsableCommand {
  /// The command's name, help text and subcommands.
  static let configuration = CommandConfiguration(
    abstract: "List the runs posted to the clearing ledger (superseded ones marked).",
    discussion: """
      Each run is a kind "ledger-run" record: id, run_kind (prepay or settle),
      period, params, input_sha256, posted_at, superseded_by and effective. With
      --lines, the effective lines of the matching runs follow as kind
      "ledger-line" records (pool, fixmedins_code, item, amount).

      Example: what was prepaid in 2024, hospital by hospital:
        mi-clear ledger --kind prepay --period 2024 --lines \\
          | jq -c 'select(.kind == "ledger-line")'
      """)

  /// `--kind`.
  @Option(help: ArgumentHelp("Only runs of this kind: prepay or settle.", valueName: "kind"))
  var kind: String?

  /// `--period`.
  @Option(help: ArgumentHelp("Only periods starting with this text (2024, 2024-03).", valueName: "prefix"))
  var period: String?

  /// `--lines`.
  @Flag(help: "Also list the effective lines of the matching runs (needs --kind).")
  var lines = false

  /// -o, --rejects, --db and the other flags every tool shares.
  @OptionGroup(title: "Common options") var common: CommonOptions

  /// Checks the flags before anything is opened.
  func validate() throws {
    if let kind, kind != "prepay" && kind != "settle" { throw ValidationError("--kind must be prepay or settle") }
    if lines && kind == nil { throw ValidationError("--lines needs --kind") }
  }

  /// Runs the command: parse, call the library, report.
  func run() throws {
    let ws = try common.workspace(.read)
    let out = try OutputFile(path: common.output)
    for r in try ws.ledgerRuns(tool: "mi-clear") {
      if let kind, r.kind != kind { continue }
      if let period, !r.period.hasPrefix(period) { continue }
      var w = JSONWriter()
      w.begin(&out.buffer)
      w.string("kind", "ledger-run", &out.buffer)
      w.int("id", r.id, &out.buffer)
      w.string("tool", r.tool, &out.buffer)
      w.string("run_kind", r.kind, &out.buffer)
      w.string("period", r.period, &out.buffer)
      w.string("params", r.params, &out.buffer)
      w.string("input_sha256", r.inputSHA256, &out.buffer)
      w.string("posted_at", r.postedAt, &out.buffer)
      w.int("superseded_by", r.supersededBy, &out.buffer)
      w.bool("effective", r.supersededBy == nil, &out.buffer)
      w.end(&out.buffer)
    }
    if lines, let kind {
      for l in try ws.effectiveLines(tool: "mi-clear", kind: kind, periodPrefix: period ?? "") {
        var w = JSONWriter()
        w.begin(&out.buffer)
        w.string("kind", "ledger-line", &out.buffer)
        w.string("pool", l.pool, &out.buffer)
        w.string("fixmedins_code", l.fixmedinsCode, &out.buffer)
        w.string("item", l.item, &out.buffer)
        w.fen("amount", l.amountFen, &out.buffer)
        w.end(&out.buffer)
      }
    }
    try out.finish()
  }
}
