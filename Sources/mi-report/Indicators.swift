import ArgumentParser
import MICommandLine
import MICore
import MIReference
import MIReport

/// `mi-report indicators`: DOMAIN.md §6–§7 per cell of the --by dimensions.
struct IndicatorsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "indicators",
    abstract: "入组率, 基金支出占比, CMI, 消耗指数, CV, 结算率, 次均费用, 药占比, … per pool, institution, month, group, level.",
    discussion: """
      Reads cases (no kind; inpatient by med_type 21-29 and 52), kind clearing and
      pool (mi-clear settle), capitation and pool (mi-capita settle) and finding
      (mi-audit); other kinds are counted on the summary line. Writes one row per
      --by cell, the reform targets of [targets] in --params (met or not met), the
      audit totals by rule and the pools' budget against payment. Columns appear
      when their records were read. --explain adds each indicator's formula and
      source. The html format adds charts and the drill-down pool → hospital →
      groups → cases (it keeps the case lines; the other formats keep totals only).
      --partial writes a shard's exact partial aggregates and --merge combines
      partial files in any order into the report one run over every record
      gives, byte for byte (mi-report(1), PARTIALS).

      Example:
        mi-report indicators --by fixmedins_code,month --params params-2024 \\
          --previous scored-2023.ndjson --explain scored-2024.ndjson
        mi-report indicators --partial -o part-1.ndjson scored-2024.ndjson
        mi-report indicators --merge part-1.ndjson
      """)

  /// `--by`.
  @Option(
    help: ArgumentHelp("pool, fixmedins_code, month, group_code, hosp_lv (any, comma-separated).", valueName: "list"))
  var by = "fixmedins_code"

  /// `--params`.
  @Option(help: ArgumentHelp("Targets from the [targets] of a params version or .toml file.", valueName: "name|file"))
  var params: String?

  /// `--hospitals`.
  @Option(help: ArgumentHelp("Hospital registry: a hospitals version or a registry .csv file.", valueName: "name|file"))
  var hospitals: String?

  /// `--previous`.
  @Option(help: ArgumentHelp("The previous year's cases, for the growth of the cost per case.", valueName: "file"))
  var previous: String?

  /// `--explain`.
  @Flag(help: "Add a table of each indicator's formula and source.")
  var explain = false

  /// `--partial`, `--merge`.
  @OptionGroup var distributed: PartialOptions
  @OptionGroup var threads: ThreadOptions
  @OptionGroup(title: "Output") var format: FormatOptions
  @OptionGroup(title: "Common options") var common: CommonOptions

  @Argument(help: ArgumentHelp("NDJSON files (.gz allowed); standard input when none or '-'.", valueName: "file"))
  var inputs: [String] = []

  func validate() throws {
    guard distributed.partial || distributed.merge else { return }
    if distributed.partial && distributed.merge { throw ValidationError("--partial and --merge exclude each other") }
    if format.format == .html { throw ValidationError(IndicatorPartial.htmlRefusal) }
    if distributed.partial,
      let finishing = [
        ("--params", params != nil), ("--previous", previous != nil), ("--explain", explain),
        ("--columns", format.columns != nil), ("--tables", format.tables != nil),
      ].first(where: \.1)
    {
      throw ValidationError("\(finishing.0) shapes the finished report: give it to the --merge run, not to --partial")
    }
    // Skipping a bad partial record would drop a shard's sums and still look like a report.
    if distributed.merge && common.rejects != nil {
      throw ValidationError("--rejects cannot skip a partial record: --merge stops at a bad one")
    }
  }

  func run() throws {
    let dims = try Dimension.parse(by)
    let targets =
      try params.map { spec throws(MIError) in
        try ReportTargets.load(try common.params(spec, needsWorkspace: false).0, name: spec)
      } ?? .defaults
    let registry =
      try hospitals.map { spec throws(MIError) in
        try Registry.load(spec) { () throws(MIError) in try common.workspace(.read) }
      } ?? [:]
    let prev = try previous.map { p throws(MIError) in
      try IndicatorAggregate.readPrevious([p], dims: dims, registry: registry)
    }
    let detail = format.format == .html
    let stream = try RecordStream(inputs: inputs, options: common.stream)
    var agg = IndicatorAggregate(dims: dims, registry: registry, detail: detail)
    var digest: SHA256? = nil
    let partials = try stream.aggregate(
      into: &agg, merge: distributed.merge, threads: threads.count, digest: &digest
    ) { IndicatorAggregate(dims: dims, registry: registry, detail: detail) }
    var extra = agg.ignoredSummary
    if distributed.partial {
      try stream.emitPartials(of: &agg)
      return try stream.finish(extra: extra)
    }
    if distributed.merge { extra.append("partials \(partials)") }
    var report = try agg.finish().report(previous: prev, targets: targets)
    if explain { report.tables.append(ReportWriter.explainTable(report.indicatorKeys)) }
    try write(report, stream, format, common, inputs: inputs, extra: extra)
  }
}
