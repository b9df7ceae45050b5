import ArgumentParser
import MIAudit
import MICommandLine
import MICore

/// `mi-audit run`: the audit of cases and fee lines.
struct Run: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Audit cases and fee-detail lines; write one finding record per violation.",
    discussion: """
      Reads the cases (--cases, memory ∝ cases), runs the case rules, then streams the fee lines (--fees) visit \
      by visit (setl_id, else mdtrt_id) through the fee rules. Each line finds its case by setl_id, else \
      mdtrt_id, for sex, age, insurance type, medical type, hospital level and dates. Fee lines that do not \
      arrive grouped by visit are regrouped through temporary files. Findings are written in rule, key and \
      input order; the summary on standard error counts cases, fee lines, lines without a case, findings per \
      rule and rejected records.

      Example: audit a month with the example rule set
        mi-audit run --rules examples/audit/rules.toml --kp kp-2025 \\
          --cases cases.ndjson --fees fees.ndjson.gz -o findings.ndjson
      """)

  @OptionGroup var audit: AuditOptions

  @Option(
    name: .customLong("cases"),
    help: ArgumentHelp("Case records (NDJSON, .gz accepted; repeatable; - for standard input).", valueName: "file"))
  var cases: [String] = []

  @Option(
    name: .customLong("fees"),
    help: ArgumentHelp("Fee-detail lines (NDJSON, .gz accepted; repeatable; - for standard input).", valueName: "file"))
  var fees: [String] = []

  @Option(help: ArgumentHelp("The previous period's cases, for growth and indicator rules.", valueName: "file"))
  var previous: String?

  @OptionGroup(title: "Common options") var common: CommonOptions

  func validate() throws {
    guard !cases.isEmpty || !fees.isEmpty else { throw ValidationError("give --cases FILE, --fees FILE or both") }
    guard (cases + fees + [previous].compactMap { $0 }).filter({ $0 == "-" }).count <= 1 else {
      throw ValidationError("standard input (-) can be read once only")
    }
  }

  func run() throws {
    let engine = try audit.engine(common: common)
    let out = try OutputFile(path: common.output)
    engine.rejects = try common.rejects.map { (p: String) throws(MIError) in try RejectSink(path: p) }
    let summary = try engine.run(
      cases: cases.map { .file($0) }, fees: fees.map { .file($0) }, previous: previous.map { [.file($0)] },
      output: out)
    try out.finish()
    try engine.rejects?.finish()
    Diagnostics.line("mi-audit: \(summary.line)")
  }
}

/// The rule set, knowledge points and hospital registry of a run (shared by run and test).
struct AuditOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Rule set: a stored version (mi-catalog import audit-rules) or a .toml file.", valueName: "name|file"))
  var rules: String

  @Option(
    help: ArgumentHelp(
      "Knowledge points: a stored version (mi-catalog import kp) or a directory of the nine TSV files.",
      valueName: "name|dir"))
  var kp: String?

  @Option(help: ArgumentHelp("Hospital registry version, for hosp_lv of cases without it.", valueName: "name"))
  var hospitals: String?

  /// The engine these options name.
  func engine(common: CommonOptions) throws -> AuditEngine {
    var ws: Workspace? = nil
    func workspace() throws(MIError) -> Workspace {
      if let ws { return ws }
      let w = try common.workspace(.read)
      ws = w
      return w
    }
    let ruleSet =
      RuleSetStore.isFile(rules) ? try RuleSetStore.file(rules) : try RuleSetStore.load(workspace(), name: rules)
    let knowledge = try kp.map { (k: String) throws(MIError) in try Knowledge.open(k, workspace: workspace) }
    let levels =
      try hospitals.map { (h: String) throws(MIError) in try RuleSetStore.hospitals(workspace(), name: h) } ?? [:]
    // Rules that keep state in the workspace (the doctor points ledger) get it when one exists, even when the
    // rule set and the knowledge points come from files.
    let context = RuleContext(
      knowledge: knowledge, hospitals: levels, workspace: ws ?? (try? common.workspace(.read)),
      settings: ruleSet.settings)
    return AuditEngine(ruleSet: ruleSet, context: context)
  }
}
