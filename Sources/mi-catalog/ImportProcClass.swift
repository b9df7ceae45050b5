import ArgumentParser
import MICommandLine
import MIReference

/// `mi-catalog import proc-class`: the ICD-9-CM-3 operation attribute dictionary DIP comprehensive groups need.
struct ImportProcClass: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "proc-class",
    abstract: "Import an operation-class dictionary (code, class[, name]; TSV or CSV).",
    discussion: """
      One operation code per row with its attribute: 手术, 介入, 治疗性操作 or
      诊断性操作 (DIP3: content left to local consultation; usually the 国临版
      3.0 类别 column mapped to 医保版). A header row starting 'code' is
      skipped. A case's code takes the class of the longest listed code that
      prefixes it, whatever its length: '47.01' classes '47.0100x001', and
      '29' classes every 29.xxxx code not listed more precisely. 介入 counts
      as 手术. The import reports how many entries it read per class.

      Example:
        mi-catalog import proc-class examples/dip/proc-class.tsv --name pc
      """)

  @Argument(help: ArgumentHelp("The dictionary file (- for standard input).", valueName: "file")) var file: String
  @OptionGroup var options: ImportOptions
  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    try ReferenceImport.procClass(file, name: options.name, replace: options.replace) { try common.workspace(.create) }
  }
}
