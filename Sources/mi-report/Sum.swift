import ArgumentParser
import MICommandLine
import MICore
import MIReport

/// `mi-report sum`: exact sums of money fields, grouped.
struct Sum: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Exact sums (fen) and counts of money fields of any NDJSON, grouped by fields.",
    discussion: """
      Amounts are read as decimal text into integer fen, never through binary
      floating point: 107341694.26 stays 107341694.26 (jq and miller print
      107341694.25999999). One row per distinct value of the --by fields, in byte
      order, and a totals row; a field absent or null adds nothing. Memory grows
      with the groups, not the records. --partial writes a shard's sums and --merge
      adds partial files, in any order, to the sums of one run (mi-report(1),
      PARTIALS).

      Example:
        mi-report sum --by pool --fields clearing_amt,payable_amt \\
          clearing-2024.ndjson
        mi-report sum --by pool --fields clearing_amt --partial -o p1.ndjson \\
          clearing-2024.ndjson
        mi-report sum --by pool --fields clearing_amt --merge p1.ndjson
      """)

  /// `--by`.
  @Option(help: ArgumentHelp("Group by these fields (comma-separated); one total when absent.", valueName: "list"))
  var by: String?

  /// `--fields`.
  @Option(help: ArgumentHelp("Money fields to sum (comma-separated).", valueName: "list"))
  var fields: String

  /// `--partial`, `--merge`.
  @OptionGroup var distributed: PartialOptions
  @OptionGroup(title: "Output") var format: FormatOptions
  @OptionGroup(title: "Common options") var common: CommonOptions

  @Argument(help: ArgumentHelp("NDJSON files (.gz allowed); standard input when none or '-'.", valueName: "file"))
  var inputs: [String] = []

  func validate() throws {
    if fields.split(separator: ",").isEmpty { throw ValidationError("--fields needs at least one field") }
    if format.format == .html { throw ValidationError("sum writes table, csv, md or ndjson; html is for indicators") }
    if distributed.partial && distributed.merge { throw ValidationError("--partial and --merge exclude each other") }
    if distributed.partial && (format.columns != nil || format.tables != nil) {
      throw ValidationError("--columns and --tables shape the finished table: give them to the --merge run")
    }
    if distributed.merge && common.rejects != nil {
      throw ValidationError("--rejects cannot skip a partial record: --merge stops at a bad one")
    }
  }

  func run() throws {
    let list: (String?) -> [String] = {
      ($0 ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }
    var agg = SumAggregate(by: list(by), fields: list(fields))
    let stream = try RecordStream(inputs: inputs, options: common.stream)
    var digest: SHA256? = nil
    let partials = try stream.aggregate(into: &agg, merge: distributed.merge, digest: &digest)
    if distributed.partial {
      try stream.emitPartials(of: &agg)
      return try stream.finish()
    }
    let extra = distributed.merge ? ["partials \(partials)"] : []
    try write(
      IndicatorReport(tables: [try agg.finish()], indicatorKeys: []), stream, format, common, inputs: inputs,
      extra: extra)
  }
}
