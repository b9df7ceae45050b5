import ArgumentParser
import MICommandLine
import MICore
import MIGrouping
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
    let ws = try common.workspace(.read)
    let a = try ws.refSet(old)
    let b = try ws.refSet(new)
    guard a.kind == b.kind else {
      throw MIError.usage("'\(old)' is a \(a.kind) set and '\(new)' a \(b.kind) set: only versions of one kind compare")
    }
    let out = try OutputFile(path: common.output)
    let lines = try ReferenceDiff.lines(ws, a, b) ?? CodeDiff.lines(try ws.codes(a), try ws.codes(b))
    for line in lines { try out.write(line + "\n") }
    try out.finish()
    Diagnostics.line("mi-catalog: \(old) → \(new): \(CodeDiff.summary(lines))")
  }
}
