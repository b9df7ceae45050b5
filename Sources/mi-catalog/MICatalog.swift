import ArgumentParser
import MICommandLine
import MICore

/// `mi-catalog`: imports and versions reference data in the workspace database.
struct MICatalog: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mi-catalog",
    abstract: "Import and version reference data (dictionaries, schemes, catalogs, hospitals, parameters).",
    discussion: """
      Every import is a named version in the workspace database (--db, else $MI_DB, else ./mi.db), recorded with \
      its source file's SHA-256 and import time. Tools name the version they use (--scheme, --dip, --params).

      Example: create a workspace, import the 医保版 dictionaries and a hospital registry, compare two versions:
        mi-catalog init
        mi-catalog import dx examples/dx.tsv --name dx-yb2
        mi-catalog import hospitals examples/hospitals.csv --name hospitals-2024
        mi-catalog list
        mi-catalog diff dx-yb2 dx-yb2-2025
      """,
    version: MIVersion.current,
    subcommands: [Init.self, Import.self, List.self, Show.self, Export.self, Diff.self])
}
