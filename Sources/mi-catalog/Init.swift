import ArgumentParser
import MICommandLine
import MIReference

/// `mi-catalog init`: creates (or migrates) the workspace database.
struct Init: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Create the workspace database (mode 0600), or bring an older one up to date.",
    discussion: """
      Example:
        mi-catalog init --db /srv/mi/mi.db
      """)

  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    try CatalogCommands.initialize { try common.workspace(.create) }
  }
}
