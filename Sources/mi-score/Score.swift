import ArgumentParser
import MICommandLine
import MICore
import MIScoring

/// `mi-score score` (the default): per-case scoring of grouped cases (DOMAIN.md §2.3–2.5).
struct Score: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Score grouped cases (the default subcommand).",
    discussion: """
      Reads grouped cases (group_code, group_status, dip_aux from mi-group; medfee_sumamt, hosp_lv, \
      fixmedins_code, act_ipt_days, dscg_caty, insutype) and writes each one with its score. Weights come from a \
      DIP catalog (--catalog, 分值) or a DRG weights version (--weights, RW); thresholds, benchmark, formula \
      variants, coefficients and per-diem categories from the [scoring] section of the params version.

      case_class is normal, low, high, special (approved with --approved), ungrouped or per-diem; score_rule \
      names the scheme, class and variant (dip:high:linear-2020). Points have 4 decimals, rounded once.

      Example:
        mi-score --params params-2024 --catalog dip-2024 --hospitals hospitals-2024 \\
          grouped.ndjson | jq -c 'select(.case_class != "normal")'
      """)

  @Option(
    help: ArgumentHelp(
      "Params version with the [scoring] section (mi-catalog import params), or a .toml file to try.",
      valueName: "name|file"))
  var params: String
  @Option(help: ArgumentHelp("DIP catalog version (分值): cases are DIP cases.", valueName: "name"))
  var catalog: String?
  @Option(help: ArgumentHelp("DRG weights version (RW): cases are DRG cases.", valueName: "name"))
  var weights: String?
  @Option(help: ArgumentHelp("Hospital registry version, for cases without hosp_lv.", valueName: "name"))
  var hospitals: String?
  @Option(
    help: ArgumentHelp("Approved 特例单议 list (NDJSON with setl_id): those cases are scored special.", valueName: "file"))
  var approved: String?
  @Argument(help: ArgumentHelp("Grouped case files (NDJSON, .gz); standard input when none or -.", valueName: "file"))
  var files: [String] = []
  @OptionGroup var threading: ThreadOptions

  @OptionGroup(title: "Common options") var common: CommonOptions

  func validate() throws {
    guard (catalog == nil) != (weights == nil) else {
      throw ValidationError("give exactly one of --catalog (DIP) or --weights (DRG)")
    }
  }

  func run() throws {
    let (p, opened) = try common.params(params, needsWorkspace: true)
    let ws = try opened ?? common.workspace(.read)
    // A file tried directly gets the check mi-catalog import params gives a version: a typo is an error.
    let sp = try ScoringParams.loadForScoring(p, name: params, workspacePath: ws.path)
    let scheme: Scheme = catalog != nil ? .dip : .drg
    let table = try WeightTable.load(ws, name: catalog ?? weights!, scheme: scheme)
    var levels: [String: String] = [:]
    if let hospitals { levels = try HospitalLevels.load(ws, name: hospitals) }
    var list: Set<String> = []
    if let approved { list = try ScoreFilter.readApproved(approved) }
    let filter = ScoreFilter(
      scorer: CaseScorer(table: table, params: sp, paramsName: params), levels: levels, approved: list)
    let stream = try RecordStream(inputs: files, options: common.stream)
    try filter.run(stream, threads: threading.count)
    try stream.finish(extra: filter.summary)
  }
}
