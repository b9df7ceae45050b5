import ArgumentParser
import MICommandLine
import MIReference

/// `mi-catalog import drg-weights`: a bureau's own DRG weight table instead of derived weights.
struct ImportDRGWeights: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "drg-weights",
    abstract: "Import DRG weights (drg_code, weight[, drg_name]; CSV, TSV or NDJSON).",
    discussion: """
      A table with a header row naming drg_code and weight (RW, up to 4 decimals; drg_name optional), or the
      NDJSON review file of 'mi-score derive --method drg'.

      Example:
        mi-catalog import drg-weights weights-2024.csv --name drg-weights-2024
      """)

  @Argument(help: ArgumentHelp("The weights file.", valueName: "file")) var file: String
  @OptionGroup var options: ImportOptions
  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    try ReferenceImport.drgWeights(file, name: options.name, replace: options.replace) { try common.workspace(.create) }
  }
}
