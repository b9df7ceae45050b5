import ArgumentParser
import MICommandLine
import MICore
import MIScoring

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
    let weights = try DRGWeights.read(file)
    guard !weights.entries.isEmpty else { throw MIError.data(file: file, line: 1, field: nil, message: "no weights") }
    let sha = try SHA256.hex(file: file)
    let ws = try common.workspace(.create)
    let set = try weights.store(in: ws, name: options.name, source: file, sha256: sha, replace: options.replace)
    Diagnostics.line("mi-catalog: imported \(set.entries) DRG weights as '\(set.name)' (sha256 \(sha.prefix(12)))")
  }
}
