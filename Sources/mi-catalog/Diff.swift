import ArgumentParser
import MICommandLine
import MIReference

/// `mi-catalog diff A B`: what changed between two versions of the same kind.
struct Diff: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show what changed between two versions: codes added, removed, renamed.",
    discussion: """
      One line per change, sorted by code, tab-separated:
        +  CODE  NAME            added in NEW
        -  CODE  NAME            removed from OLD
        ~  CODE  OLD  NEW        renamed (or attributes changed)
      A summary goes to standard error. Exit status 0 whether or not there are changes.

      Example: what the 2025 dictionary changed
        mi-catalog diff dx-yb2 dx-yb2-2025 | grep '^-'
      """)

  @Argument(help: ArgumentHelp("The older version.", valueName: "old")) var old: String
  @Argument(help: ArgumentHelp("The newer version.", valueName: "new")) var new: String
  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    try CatalogCommands.diff(old, new, output: common.output) { try common.workspace(.read) }
  }
}
