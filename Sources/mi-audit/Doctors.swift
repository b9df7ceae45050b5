import ArgumentParser
import MIAudit
import MICommandLine
import MICore

/// `mi-audit doctors --year YYYY`: confirmed findings into each doctor's 医保支付资格记分 (AUDIT.md §4).
struct Doctors: ParsableCommand {
  /// The command's name, help text and subcommands.
  static let configuration = CommandConfiguration(
    abstract: "Turn confirmed findings into doctors' points (医保支付资格记分): suspension and termination.",
    discussion: """
      Reads findings (mi-audit run output). A finding counts when it is
      confirmed (--confirmed: a list of rule_id and key, as text 'RULE_ID KEY'
      lines or NDJSON; --auto: every 明确违规 finding), its occur_date is in
      --year and it names a doctor (bilg_dr_codg, else chfpdr_code, else with
      --cases its settlement's chfpdr_code). The rule set's [points] section
      gives each rule's points and the thresholds: suspend_at (national 9, seed
      003 6) with suspend_cmp, terminate_at (12), suspend_months. Writes one kind "doctor_points" record per doctor, by
      code: points, events, status (normal, suspended, terminated), the
      suspension's first and last day (from the day after the finding that
      reached the threshold), terminated_from, and each event in date order.

      --post keeps the points in the workspace ledger (run kind "points", the
      year as period): a rerun of the year supersedes the earlier run, one with
      no confirmed findings of the year (or fewer than half) is refused unless
      --force, and 'mi-audit ledger' lists and restores runs. The rule type
      suspended-doctor flags fee lines billed during a suspension.

      Example: points of 2024 from the reviewed findings, posted:
        mi-audit doctors --year 2024 --rules rules-2024 \\
          --confirmed confirmed.txt --cases cases.ndjson --post findings.ndjson
        mi-audit ledger --kind points --lines
      """)

  /// `--year`.
  @Option(help: ArgumentHelp("The natural year of the points (记分周期).", valueName: "yyyy"))
  var year: String

  /// `--confirmed FILE`.
  @Option(
    help: ArgumentHelp(
      "The confirmed findings: 'RULE_ID KEY' lines, or NDJSON with rule_id and key ('-': standard input).",
      valueName: "file"))
  var confirmed: String?

  /// `--auto`.
  @Flag(help: "Count every 明确违规 finding as confirmed (instead of --confirmed).")
  var auto = false

  /// `--rules`.
  @Option(
    help: ArgumentHelp("The rule set (a version name or a .toml file) with the [points] section.", valueName: "name"))
  var rules: String

  /// `--cases FILE`.
  @Option(
    name: .customLong("cases"),
    help: ArgumentHelp(
      "Case records whose chfpdr_code charges the findings that name no doctor (repeatable).", valueName: "file"))
  var cases: [String] = []

  /// `--post`.
  @Flag(help: "Record the points in the workspace ledger (a rerun of the year supersedes the earlier run).")
  var post = false

  /// `--force`.
  @Flag(help: "With --post, supersede the effective run even with no or too few confirmed findings in the year.")
  var force = false

  /// Findings files.
  @Argument(help: ArgumentHelp("Findings (NDJSON, .gz allowed); standard input when none or '-'.", valueName: "file"))
  var inputs: [String] = []

  /// -o, --rejects, --db and the other flags every tool shares.
  @OptionGroup(title: "Common options") var common: CommonOptions

  /// Checks the flags before anything is opened.
  func validate() throws {
    if let m = AuditCommands.doctorsFlagError(
      year: year, confirmed: confirmed, auto: auto, post: post, force: force, cases: cases, inputs: inputs)
    {
      throw ValidationError(m)
    }
  }

  /// Runs the command: parse, call the library, report.
  func run() throws {
    try AuditCommands.doctors(
      year: year, rules: rules, confirmed: confirmed, auto: auto, cases: cases, post: post, force: force,
      inputs: inputs, stream: common.stream
    ) { (access: Workspace.Access) throws(MIError) in try common.workspace(access) }
  }
}

/// `mi-audit ledger`: the posted runs of the points ledger (`LedgerCommands`).
enum AuditLedger: LedgerTool {
  static let tool = PointsLedger.tool
  static let ledger = "doctor points"
  static let records = "confirmed findings"
  static let kinds = [PointsLedger.kind]
  static let example: String? = """
    Example: the points runs of 2024 with each doctor's lines; undo a bad rerun
    by reviving the run it replaced:
      mi-audit ledger --period 2024 --lines
      mi-audit ledger --all
      mi-audit ledger restore 3
    """
}
