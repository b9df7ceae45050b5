import ArgumentParser
import MICommandLine
import MICore
import MIGrouping

/// `mi-group`: assigns each inpatient case its DRG (`--scheme`) or DIP 病种 (`--dip`).
struct MIGroup: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mi-group",
    abstract: "Group inpatient cases into DRGs (--scheme) or DIP 病种 (--dip).",
    discussion: """
      Writes each case unchanged plus group_scheme, group_code (the DRG),
      group_name, mdc, adrg, group_status (grouped, ambiguous, ungroupable,
      invalid) and group_reason. group_warnings lists codes absent from the
      scheme's dictionaries and sex/diagnosis conflicts; --explain adds
      group_trace, the rules that decided the group. The scheme is a version
      imported with 'mi-catalog import drg-scheme'. The summary on standard
      error counts cases per status and gives the 入组率 (grouped / valid).

      Example: group a month with the national scheme, explain the ungroupable
        mi-catalog import drg-scheme ../shared/reference/drg/chs-drg-1.1 \\
          --name chs-drg-1.1
        mi-group --scheme chs-drg-1.1 cases-2024-05.ndjson.gz -o grouped.ndjson
        grep '"group_status":"ungroupable"' grouped.ndjson \\
          | mi-group --scheme chs-drg-1.1 --explain | head -3
      """,
    version: MIVersion.current)

  @Option(help: ArgumentHelp("DRG scheme version to group with (mi-catalog import drg-scheme).", valueName: "name"))
  var scheme: String?

  @Option(help: ArgumentHelp("DIP catalog version to group with, instead of a DRG scheme.", valueName: "name"))
  var dip: String?

  @Flag(help: "Add group_trace: the rules that decided each case's group.")
  var explain = false

  @Argument(help: ArgumentHelp("Case files (NDJSON, .gz accepted); standard input when none or -.", valueName: "file"))
  var files: [String] = []

  @OptionGroup var threading: ThreadOptions

  @OptionGroup(title: "Common options") var common: CommonOptions

  func validate() throws {
    guard (scheme == nil) != (dip == nil) else {
      throw ValidationError("give exactly one of --scheme NAME (DRG) and --dip NAME (DIP)")
    }
  }

  func run() throws {
    if let dip {
      try runDIPGrouping(catalog: dip, inputs: files, common: common, explain: explain, threads: threading.count)
      return
    }
    let engine = try DRGSchemeStore.load(try common.workspace(.read), name: scheme!)
    let stream = try RecordStream(inputs: files, options: common.stream)
    // One enricher per worker (each has its own scratch state); the engine's tables are shared, read-only.
    var enrichers: [DRGEnricher] = []
    try stream.run(threads: threading.count) { _ in
      let enricher = DRGEnricher(engine: engine, explain: explain)
      enrichers.append(enricher)
      return { scanner, out in
        try enricher.enrich(scanner, into: &out)
        return .written
      }
    }
    try stream.finish(extra: DRGEnricher.summary(enrichers, rateLabel: common.lang == .en ? "grouping rate" : "入组率"))
  }
}
