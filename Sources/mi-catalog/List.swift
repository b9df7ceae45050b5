import ArgumentParser
import MICommandLine
import MIReference

/// `mi-catalog list`: the versions in the workspace.
struct List: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List the reference versions in the workspace.",
    discussion: """
      One line per version: name, kind, entries, import time (UTC), the first 12 hex digits of the source's \
      SHA-256, and the source. Tab-separated, sorted by kind and name, so scripts can cut columns.

      Example:
        mi-catalog list --kind dx
      """)

  @Option(
    help: ArgumentHelp(
      "Only versions of this kind (dx, proc, dict, hospitals, drg-scheme, dip, params…).", valueName: "kind"))
  var kind: String?
  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    try CatalogCommands.list(kind: kind, output: common.output) { try common.workspace(.read) }
  }
}

/// `mi-catalog show NAME`: one version's facts.
struct Show: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show one version: kind, source, SHA-256, import time, entries, and its facts.",
    discussion: """
      Example:
        mi-catalog show hospitals-2024
      """)

  @Argument(help: ArgumentHelp("The version's name.", valueName: "name")) var name: String
  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    try CatalogCommands.show(name, output: common.output) { try common.workspace(.read) }
  }
}

/// `mi-catalog export NAME`: a version's content, in the shape it was imported in.
struct Export: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write a version's entries to standard output (or -o FILE).",
    discussion: """
      Code sets are written as TSV with a header: code, name, and one column per attribute (hospitals:
      hosp_lv, admdvs, payment, start_date); a version imported from a table whose header spells its columns \
      otherwise (FIXMEDINS_CODE, 诊断名称) is written with those names. Sets kept as files (params, schemes) are written as their file; \
      name one with --file when there are several.

      Example:
        mi-catalog export hospitals-2024 -o hospitals.tsv
      """)

  @Argument(help: ArgumentHelp("The version's name.", valueName: "name")) var name: String
  @Option(help: ArgumentHelp("For sets kept as files: which file to write.", valueName: "file")) var file: String?
  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    try CatalogCommands.export(name, file: file, output: common.output) { try common.workspace(.read) }
  }
}
