import ArgumentParser
import MICommandLine
import MIReference

/// `mi-catalog import drg-scheme DIR`: a DRG scheme in the mi-drg-scheme/1 format with its dictionaries.
struct ImportDRGScheme: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "drg-scheme",
    abstract: "Import a DRG scheme directory (scheme.json, dx.tsv, proc.tsv) for mi-group --scheme.",
    discussion: """
      DIR holds scheme.json (format mi-drg-scheme/1: checks, MDC entry rules,
      ADRG rules, DRG splits, CC/MCC tables with exclusions, code lists) and
      the dictionaries dx.tsv and proc.tsv (code<TAB>name, header line). The
      scheme is compiled before anything is stored: another format, an unknown
      condition or a missing code list is refused with its place in the file.
      Several schemes live side by side; 'mi-catalog diff OLD NEW' lists the
      groups, rules and code lists that changed.

      Example: the national scheme and a local variant side by side
        mi-catalog import drg-scheme ../shared/reference/drg/chs-drg-1.1 \\
          --name chs-drg-1.1
        mi-catalog import drg-scheme ../shared/reference/drg/anyang-2021 \\
          --name anyang-2021
        mi-group --scheme anyang-2021 cases.ndjson > grouped.ndjson
      """)

  @Argument(help: ArgumentHelp("The scheme directory.", valueName: "dir")) var dir: String
  @OptionGroup var options: ImportOptions
  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    try ReferenceImport.drgScheme(dir, name: options.name, replace: options.replace) { try common.workspace(.create) }
  }
}
