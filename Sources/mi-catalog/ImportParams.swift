import ArgumentParser
import MICommandLine
import MIReference

/// `mi-catalog import params`: a commented TOML policy-parameters file as a versioned reference set.
struct ImportParams: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "params",
    abstract: "Import a policy-parameters file (TOML) after checking every section.",
    discussion: """
      The file is stored as it is (comments included) as blob params.toml of a version of kind params, after \
      each library has read and checked its own section: [scoring] (mi-score), [clearing] (mi-clear), \
      [capitation] (mi-capita). A bad value, or a key no tool reads (usually a typo that would silently fall back \
      to a default), is an error naming its line and the key (exit 2), and nothing is imported.

      Example:
        mi-catalog import params examples/params-2024.toml --name params-2024
        mi-score --params params-2024 --catalog dip-2024 grouped.ndjson \\
          > scored.ndjson
      """)

  @Argument(help: ArgumentHelp("The parameters file (TOML).", valueName: "file")) var file: String
  @OptionGroup var options: ImportOptions
  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    try ReferenceImport.params(file, name: options.name, replace: options.replace) { try common.workspace(.create) }
  }
}
