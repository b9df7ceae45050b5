import ArgumentParser
import MICommandLine
import MICore
import MIReference

/// An import of a code table (`ReferenceImport.table`): the commands differ only in their kind and help.
protocol CodeDictionaryImport: ParsableCommand {
  /// The kind of the version (`dx`, `proc`, `dict`, `hospitals`).
  static var kind: String { get }
  /// The dictionary file.
  var file: String { get }
  /// Name and replace.
  var options: ImportOptions { get }
  /// Common flags.
  var common: CommonOptions { get }
  /// Delimiter and encoding.
  var table: TableOptions { get }
}

extension CodeDictionaryImport {
  func run() throws {
    try ReferenceImport.table(
      file, kind: Self.kind, format: table.format, name: options.name, replace: options.replace
    ) { try common.workspace(.create) }
  }
}

/// `--delimiter` and `--encoding` of the table imports: a bureau's dictionary saved by Excel or WPS is often CSV
/// in GB18030, or separated by another character.
struct TableOptions: ParsableArguments {
  /// `--delimiter C`.
  @Option(
    help: ArgumentHelp("Field delimiter (default: ',' for .csv, tab otherwise; 'tab' for a tab).", valueName: "c"))
  var delimiter: String?

  /// `--encoding ENC`.
  @Option(
    help: ArgumentHelp("Text encoding: auto (a byte-order mark, else UTF-8), utf-8 or gb18030.", valueName: "enc"))
  var encoding: String = "auto"

  func validate() throws {
    if case .failure(let e) = CatalogCommands.tableFormat(delimiter: delimiter, encoding: encoding) {
      throw ValidationError(e.message)
    }
  }

  /// The format these flags give (checked by `validate`).
  var format: TableFormat {
    (try? CatalogCommands.tableFormat(delimiter: delimiter, encoding: encoding).get()) ?? TableFormat()
  }
}

/// `mi-catalog import dx`: the 医保版 ICD-10 diagnosis dictionary.
struct ImportDx: CodeDictionaryImport {
  static let kind = "dx"
  static let configuration = CommandConfiguration(
    commandName: "dx",
    abstract: "Import a diagnosis dictionary (code, name; TSV or CSV).",
    discussion: """
      The file has two columns, code and name, tab-separated (or comma-separated for .csv), with or without a \
      header row whose first column is 'code'.

      Example:
        mi-catalog import dx ../shared/reference/icd/dx-yb2.tsv --name dx-yb2
      """)

  @Argument(help: ArgumentHelp("The dictionary file (- for standard input).", valueName: "file")) var file: String
  @OptionGroup var options: ImportOptions
  @OptionGroup(title: "Table options") var table: TableOptions
  @OptionGroup(title: "Common options") var common: CommonOptions
}

/// `mi-catalog import proc`: the 医保版 ICD-9-CM-3 procedure dictionary.
struct ImportProc: CodeDictionaryImport {
  static let kind = "proc"
  static let configuration = CommandConfiguration(
    commandName: "proc",
    abstract: "Import a procedure dictionary (code, name; TSV or CSV).",
    discussion: """
      Same shape as 'import dx'.

      Example:
        mi-catalog import proc ../shared/reference/icd/proc-yb2.tsv --name proc-yb2
      """)

  @Argument(help: ArgumentHelp("The dictionary file (- for standard input).", valueName: "file")) var file: String
  @OptionGroup var options: ImportOptions
  @OptionGroup(title: "Table options") var table: TableOptions
  @OptionGroup(title: "Common options") var common: CommonOptions
}

/// `mi-catalog import dict`: a platform dictionary in its three-column shape.
struct ImportDict: CodeDictionaryImport {
  static let kind = "dict"
  static let configuration = CommandConfiguration(
    commandName: "dict",
    abstract: "Import a platform code dictionary (dic_type_code, val_code, val_name).",
    discussion: """
      The platform's three-column shape: dictionary type, value code, value name (tab-separated without header, \
      as the platform exchanges it, or with a header row starting 'dic_type_code'; CSV for .csv). Codes are \
      stored as TYPE:CODE, so one version holds many types (med_type:21, insutype:310 …).

      Example:
        mi-catalog import dict examples/dict.tsv --name dict-2024
      """)

  @Argument(help: ArgumentHelp("The dictionary file (- for standard input).", valueName: "file")) var file: String
  @OptionGroup var options: ImportOptions
  @OptionGroup(title: "Table options") var table: TableOptions
  @OptionGroup(title: "Common options") var common: CommonOptions
}

/// `mi-catalog import hospitals`: the registry of 定点医疗机构.
struct ImportHospitals: CodeDictionaryImport {
  static let kind = "hospitals"
  static let configuration = CommandConfiguration(
    commandName: "hospitals",
    abstract: "Import a hospital registry (fixmedins_code, name, hosp_lv, admdvs, payment, start date).",
    discussion: """
      A header row names the columns (any order): fixmedins_code, fixmedins_name (or name), hosp_lv (1, 2, 3; \
      0 for unrated primary institutions), admdvs (医保区划, 6 digits), payment (DRG, DIP or 按项目; FFS is \
      accepted for 按项目), start_date (yyyy-MM-dd, when the payment method took effect).

      Example:
        mi-catalog import hospitals examples/hospitals.csv --name hospitals-2024
      """)

  @Argument(help: ArgumentHelp("The registry file, CSV or TSV with a header row.", valueName: "file")) var file: String
  @OptionGroup var options: ImportOptions
  @OptionGroup(title: "Table options") var table: TableOptions
  @OptionGroup(title: "Common options") var common: CommonOptions
}
