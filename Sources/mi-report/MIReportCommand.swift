import ArgumentParser
import Foundation
import MICommandLine
import MICore
import MIReport

/// `mi-report`: the figures a bureau answers for, exact to the fen, as tables, CSV, Markdown, NDJSON or HTML.
struct MIReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mi-report",
    abstract: "Indicators and exact totals over the records of the other tools, for people: tables, CSV, HTML.",
    discussion: """
      indicators reads grouped and scored cases, outpatient settlements and the
      records of mi-clear, mi-capita and mi-audit (told apart by their kind) and
      writes 入组率, 基金支出占比, CMI, 消耗指数, 结算率, 次均费用, … per --by cell. sum
      adds money fields of any NDJSON exactly, in fen. Money is always printed
      with two decimals; names and ID numbers are never shown.

      Example: each hospital's clearing, then the HTML report:
        mi-report indicators --hospitals hospitals-2024 --tables indicator \\
          --columns fixmedins_name,clear_cases,clearing_amt,settle_ratio \\
          clearing-2024.ndjson
        mi-report indicators --format html -o report.html --hospitals h.csv \\
          scored.ndjson clearing-2024.ndjson
      """,
    version: MIVersion.current,
    subcommands: [Sum.self, IndicatorsCommand.self])
}

extension ReportFormat: ExpressibleByArgument {}
extension TextEncoding: ExpressibleByArgument {}

/// The flags of the output every subcommand shares.
struct FormatOptions: ParsableArguments {
  /// `--format`.
  @Option(help: ArgumentHelp("Output format: table, csv, md, ndjson or html.", valueName: "format"))
  var format: ReportFormat = .table

  /// `--encoding`.
  @Option(help: ArgumentHelp("CSV encoding: utf-8 (with BOM), utf-8-nobom or gb18030.", valueName: "encoding"))
  var encoding: TextEncoding = .utf8

  /// `--columns`.
  @Option(help: ArgumentHelp("Show only these columns of the main table, in this order.", valueName: "list"))
  var columns: String?

  /// `--tables`.
  @Option(
    help: ArgumentHelp(
      "Write only these tables (comma-separated kinds: indicator, target, audit, pool-budget, indicator-definition, sum).",
      valueName: "list"))
  var tables: String?

  /// `--show-personal`.
  @Flag(help: "Show psn_no in case lists as read (masked by default).")
  var showPersonal = false

  func validate() throws {
    if encoding != .utf8 && format != .csv { throw ValidationError("--encoding applies to --format csv only") }
  }

  /// Colour only when the table goes to a terminal.
  func color(_ common: CommonOptions) -> Bool {
    format == .table && (common.output == nil || common.output == "-") && isatty(STDOUT_FILENO) == 1
  }
}

/// Writes a report to the stream's output and closes it with the summary line.
func write(
  _ report: IndicatorReport, _ stream: RecordStream, _ f: FormatOptions, _ common: CommonOptions, inputs: [String],
  extra: [String]
) throws {
  var r = report
  if let c = f.columns {
    r.tables[0] = try r.tables[0].selecting(c.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
  }
  if let list = f.tables {
    r.tables = try ReportWriter.selectTables(
      r.tables, list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
  }
  let lang: ReportLanguage = common.lang == .en ? .en : .zh
  let (bytes, rows) = try ReportWriter.bytes(
    r, format: f.format, lang: lang, encoding: f.encoding, color: f.color(common), showPersonal: f.showPersonal,
    inputs: inputs.isEmpty ? ["-"] : inputs)
  try stream.emit { b in
    b.append(contentsOf: bytes)
    return rows
  }
  try stream.finish(extra: extra)
}
