import ArgumentParser
import MICommandLine
import MIConv
import MICore

/// `mi-conv`: bureau extracts in (platform tables, CSV, TSV, xlsx) as canonical NDJSON, and tables out.
struct MIConvCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mi-conv",
    abstract: "Convert bureau extracts (CSV, TSV, xlsx; UTF-8 or GB18030) to canonical NDJSON and back.",
    discussion: """
      Platform column names (upper or lower case) become SCHEMA.md's canonical names \
      (INSCP_AMT → inscp_scp_amt, BKKP_SN → feedetl_sn, …); money is checked to two \
      decimals, times normalised to yyyy-MM-dd HH:mm:ss, codes kept as text.

      Example: a settlement extract and its settlement-list tables to cases
        mi-conv cases --settlements setl.csv --diagnoses diag.csv \\
          --operations oprn.csv --encoding gb18030 > cases.ndjson
      """,
    version: MIVersion.current,
    subcommands: [From.self, Cases.self, ToCSV.self, ToXLSX.self])
}

/// How tables are read and their columns mapped.
struct ReadOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp("Field delimiter (default: ',' for .csv, tab otherwise; 'tab' for a tab).", valueName: "c"))
  var delimiter: String?
  @Option(
    help: ArgumentHelp("Text encoding: auto (a byte-order mark, else UTF-8), utf-8 or gb18030.", valueName: "enc"))
  var encoding: String = "auto"
  @Option(help: ArgumentHelp("The xlsx sheet: a name, or a number from 1 (default: the first).", valueName: "sheet"))
  var sheet: String?
  @Option(
    help: ArgumentHelp(
      "Columns of a table without a header: a,b,c, a file of names, or a platform table (setl_d).", valueName: "cols"))
  var columns: String?
  @Option(
    help: ArgumentHelp(
      "Directory of the platform layouts (setl_d.columns …) (default: $MI_LAYOUTS, else ../shared/reference/platform).",
      valueName: "dir"))
  var layouts: String?
  @Option(
    help: ArgumentHelp(
      "A bureau's own column names: a two-column file (its name, the canonical name).", valueName: "file"))
  var map: String?
  @Flag(help: "Drop columns that are not canonical fields instead of keeping them lower-cased.")
  var strict = false

  func validate() throws {
    guard TableEncoding(rawValue: encoding.lowercased().replacingOccurrences(of: "utf8", with: "utf-8")) != nil else {
      throw ValidationError("--encoding must be auto, utf-8 or gb18030")
    }
    if let d = delimiter, d != "tab", d != "\\t", d.utf8.count != 1 {
      throw ValidationError("--delimiter must be one ASCII character, or 'tab'")
    }
  }

  /// The reading options these flags give.
  func input(assumeFilename: String?) throws(MIError) -> InputOptions {
    var o = InputOptions()
    if let d = delimiter { o.delimiter = d == "tab" || d == "\\t" ? 0x09 : d.utf8.first }
    o.encoding = TableEncoding(rawValue: encoding.lowercased().replacingOccurrences(of: "utf8", with: "utf-8")) ?? .auto
    o.sheet = sheet
    o.columns = try columns.map { (c: String) throws(MIError) in try PlatformLayouts.columns(c, dir: layouts) }
    o.assumeFilename = assumeFilename
    return o
  }

  /// The mapping options these flags give.
  func mapping() throws(MIError) -> MappingOptions {
    MappingOptions(
      map: try map.map { (m: String) throws(MIError) in try MappingOptions.readMap(m) } ?? [:], strict: strict)
  }
}

/// `mi-conv from`.
struct From: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Convert tables (CSV, TSV, xlsx, .gz, .zip members) to canonical NDJSON.",
    discussion: """
      The first row names the columns unless --columns gives them. Literal null and \
      empty cells are left out; unknown columns keep their lower-case name (--strict \
      drops them). An xlsx code cell stored as a number is read back as text, with a \
      warning (a leading zero may be lost).

      Example: a headerless platform TSV of settlements
        mi-conv from --columns setl_d setl_d.tsv > setl.ndjson
      """)

  @Argument(help: ArgumentHelp("Tables to read (standard input when none or -).", valueName: "file"))
  var files: [String] = []
  @OptionGroup(title: "Reading options") var read: ReadOptions
  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    let summary = try FromTables.run(
      paths: files, input: read.input(assumeFilename: common.assumeFilename), mapping: read.mapping(),
      stream: common.stream)
    Diagnostics.line("mi-conv: \(summary)")
  }
}

/// `mi-conv cases`.
struct Cases: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Join settlements with settlement-list diagnoses and operations into case records.",
    discussion: """
      One record per settlement, never more: the diagnosis and operation rows of a \
      settlement (by setl_id, else mdtrt_id) become diag_codes and oprn_codes, the \
      principal (maindiag_flag / main_oprn_flag 1) first, then by setl_list_sn. Two \
      principal rows, a repeated setl_id or unbalanced money reject the record; keys \
      that match no settlement are reported. A real setl_d lacks the inpatient \
      fields (days, 离院方式, 科别, 主诊医师): --visits joins them from mdtrt_d by \
      mdtrt_id, settlements and visits that match nothing reported.

      Example: extracts as mi-gen --layout platform writes them
        mi-conv cases --settlements x.setl_d.csv --diagnoses x.setl_list_diag_d.csv \\
          --operations x.setl_list_oprn_d.csv | mi-group --dip dip-2024
      """)

  @Option(help: ArgumentHelp("Settlement table (repeatable).", valueName: "file")) var settlements: [String] = []
  @Option(help: ArgumentHelp("Settlement-list diagnosis table (repeatable).", valueName: "file"))
  var diagnoses: [String] = []
  @Option(help: ArgumentHelp("Settlement-list operation table (repeatable).", valueName: "file"))
  var operations: [String] = []
  @Option(help: ArgumentHelp("Fee lines, summed into item_amts (repeatable).", valueName: "file")) var fees: [String] =
    []
  @Option(
    help: ArgumentHelp(
      "Visit table (mdtrt_d, repeatable): act_ipt_days, adm_time, dscg_time, adm_caty, dscg_caty, dscg_way and "
        + "chfpdr_code by mdtrt_id, where the settlement lacks them.", valueName: "file"))
  var visits: [String] = []
  @Flag(help: "Write records whose money identities do not hold instead of rejecting them.")
  var allowUnbalanced = false
  @OptionGroup(title: "Reading options") var read: ReadOptions
  @OptionGroup(title: "Common options") var common: CommonOptions

  func validate() throws {
    guard !settlements.isEmpty else { throw ValidationError("--settlements is required") }
    if read.columns != nil { throw ValidationError("--columns does not apply to cases: the tables need headers") }
  }

  func run() throws {
    let tables = CaseJoin.Tables(
      settlements: settlements, diagnoses: diagnoses, operations: operations, fees: fees, visits: visits)
    let summary = try CaseJoin.run(
      tables, input: read.input(assumeFilename: nil), mapping: read.mapping(), stream: common.stream,
      checkMoney: !allowUnbalanced)
    Diagnostics.line("mi-conv: \(summary)")
  }
}

/// Flags of the table writers.
struct WriteOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Fields to write, in order (default: the first record's).", valueName: "a,b,c"))
  var fields: String?
  @Option(help: ArgumentHelp("Column labels: names (field names) or zh (SCHEMA.md's Chinese terms).", valueName: "l"))
  var labels: String = "names"

  func validate() throws {
    guard labels == "names" || labels == "zh" else { throw ValidationError("--labels must be names or zh") }
  }

  /// The options these flags give.
  var export: ExportOptions {
    var o = ExportOptions()
    o.fields = fields.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
    o.chineseLabels = labels == "zh"
    return o
  }
}

/// `mi-conv to-csv`.
struct ToCSV: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "to-csv",
    abstract: "Write NDJSON records as a CSV table (UTF-8 with BOM, or GB18030).",
    discussion: """
      Arrays of codes are ;-joined (mi-conv from splits them again); null is empty.

      Example: clearing results for a spreadsheet, Chinese headers, GB18030
        mi-conv to-csv --labels zh --encoding gb18030 cases.ndjson > cases.csv
      """)

  @Argument(help: ArgumentHelp("NDJSON inputs (standard input when none or -).", valueName: "file"))
  var files: [String] = []
  @OptionGroup(title: "Table options") var write: WriteOptions
  @Option(help: ArgumentHelp("Output encoding: utf-8 (with a BOM) or gb18030.", valueName: "enc"))
  var encoding: String = "utf-8"
  @Flag(help: "Leave out the UTF-8 byte-order mark.") var noBom = false
  @Option(help: ArgumentHelp("Field delimiter ('tab' for a tab).", valueName: "c")) var delimiter: String = ","
  @OptionGroup(title: "Common options") var common: CommonOptions

  func validate() throws {
    guard ["utf-8", "utf8", "gb18030"].contains(encoding.lowercased()) else {
      throw ValidationError("--encoding must be utf-8 or gb18030")
    }
    guard delimiter == "tab" || delimiter.utf8.count == 1 else {
      throw ValidationError("--delimiter must be one ASCII character, or 'tab'")
    }
  }

  func run() throws {
    var o = write.export
    o.gb18030 = encoding.lowercased() == "gb18030"
    o.bom = !noBom
    o.delimiter = delimiter == "tab" ? 0x09 : delimiter.utf8.first!
    try MIConv.ToCSV.run(paths: files, options: o, stream: common.stream)
  }
}

/// `mi-conv to-xlsx`.
struct ToXLSX: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "to-xlsx",
    abstract: "Write NDJSON records as an xlsx workbook (money as numbers 0.00, codes as text).",
    discussion: """
      The sheet is built in memory and written at the end (at most 1,048,576 rows).

      Example: scored cases for the hospitals, with Chinese headers
        mi-conv to-xlsx --labels zh -o cases.xlsx cases.ndjson
      """)

  @Argument(help: ArgumentHelp("NDJSON inputs (standard input when none or -).", valueName: "file"))
  var files: [String] = []
  @OptionGroup(title: "Table options") var write: WriteOptions
  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    try MIConv.ToXLSX.run(paths: files, options: write.export, stream: common.stream)
  }
}
