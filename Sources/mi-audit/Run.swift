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
    if let m = AuditCommands.runFlagError(cases: cases, fees: fees, previous: previous) { throw ValidationError(m) }
  }

  func run() throws {
    try AuditCommands.run(
      try audit.engine(common: common), cases: cases, fees: fees, previous: previous, stream: common.stream)
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
    try AuditCommands.engine(rules: rules, kp: kp, hospitals: hospitals) { () throws(MIError) in
      try common.workspace(.read)
    }
  }
}
