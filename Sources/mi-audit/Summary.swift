import ArgumentParser
import MIAudit
import MICommandLine
import MICore

/// `mi-audit summary`: findings totalled by rule, institution, doctor and month; or as mi-clear's deductions.
struct Summary: ParsableCommand {
  /// The command's name, help text and subcommands.
  static let configuration = CommandConfiguration(
    abstract: "Total findings by rule, institution, doctor and month, exact to the fen; or write mi-clear deductions.",
    discussion: """
      Reads findings (mi-audit run output) and writes one kind "audit_summary"
      record per group of --by (rule, fixmedins_code, bilg_dr_codg, month: any
      of them, comma-separated, in that order of grouping) with finding_cnt,
      vola_amt and the 明确违规 and 可疑 parts apart, then the total ("by":"total").
      Groups are sorted; a finding without the field is a group of its own,
      first. Memory follows the groups, not the findings.

      --as-adjustments writes instead mi-clear's adjustments: one "deduction"
      per institution and pool (the findings' insutype) for --period, adj_amt
      the sum of the 明确违规 findings of the period (with --include-suspect the
      可疑 ones too), the reason naming each rule with its count and amount.
      With --hospitals, only the institutions of that registry version are
      deducted (mi-clear refuses a hospital it does not clear); the others are
      counted in the summary line.

      Example: the audit deductions of 2024 straight into the year-end clearing:
        mi-audit summary --by rule,month findings.ndjson
        mi-audit summary --as-adjustments --period 2024 findings.ndjson \\
          | mi-clear settle --year 2024 --params params-2024 \\
            --adjustments - scored.ndjson
      """)

  /// `--by`.
  @Option(
    help: ArgumentHelp(
      "Group by these, comma-separated: rule, fixmedins_code, bilg_dr_codg, month.", valueName: "dims"))
  var by = "rule"

  /// `--as-adjustments`.
  @Flag(help: "Write mi-clear's adjustments (adj_type deduction) for --period instead of totals.")
  var asAdjustments = false

  /// `--period`.
  @Option(help: ArgumentHelp("With --as-adjustments: the period, YYYY or YYYY-MM.", valueName: "period"))
  var period: String?

  /// `--hospitals`.
  @Option(
    help: ArgumentHelp(
      "With --as-adjustments: only institutions of this registry version (the others are counted).",
      valueName: "name"))
  var hospitals: String?

  /// `--include-suspect`.
  @Flag(help: "With --as-adjustments: deduct the 可疑 findings too (after review), not only the 明确违规 ones.")
  var includeSuspect = false

  /// Findings files.
  @Argument(help: ArgumentHelp("Findings (NDJSON, .gz allowed); standard input when none or '-'.", valueName: "file"))
  var inputs: [String] = []

  /// -o, --rejects, --db and the other flags every tool shares.
  @OptionGroup(title: "Common options") var common: CommonOptions

  /// Checks the flags before anything is opened.
  func validate() throws {
    if let m = AuditCommands.summaryFlagError(
      by: by, asAdjustments: asAdjustments, period: period, hospitals: hospitals, includeSuspect: includeSuspect)
    {
      throw ValidationError(m)
    }
  }

  /// Runs the command: parse, call the library, report.
  func run() throws {
    try AuditCommands.summary(
      by: by, asAdjustments: asAdjustments, period: period, hospitals: hospitals, includeSuspect: includeSuspect,
      inputs: inputs, stream: common.stream
    ) { () throws(MIError) in try common.workspace(.read) }
  }
}
