import ArgumentParser
import Foundation
import MICapitation
import MIClearing
import MICommandLine
import MICore
import MIReference
import MIReport
import MIScoring

/// `mi-catalog import params`: a commented TOML policy-parameters file as a versioned reference set.
struct ImportParams: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "params",
    abstract: "Import a policy-parameters file (TOML) after checking every section.",
    discussion: """
      The file is stored as it is (comments included) as blob params.toml of a version of kind params, after \
      each library has read and checked its own section: [scoring] (mi-score), [clearing] (mi-clear), \
      [capitation] (mi-capita), [targets] (mi-report). A bad value, or a key no tool reads (usually a typo that would silently fall back \
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
    let (data, text) = try ParamsImport.read(file)
    try ImportParams.validate(text: text, name: file)
    let ws = try common.workspace(.create)
    let (set, sha) = try ParamsImport.store(data, file: file, name: options.name, replace: options.replace, in: ws)
    Diagnostics.line("mi-catalog: imported params as '\(set.name)' (sha256 \(sha.prefix(12)))")
  }

  /// Reads every section through its library's validator, then refuses keys that none of them read.
  static func validate(text: String, name: String) throws(MIError) {
    let params = try Params(text: text, name: name)
    if params.isEmpty {
      throw MIError.reference("\(name): no parameters (the file sets no key); an empty params version is refused")
    }
    _ = try ScoringParams.load(params)
    // Section validators of other libraries:
    _ = try ClearingParams.load(params)
    _ = try CapitationParams.loadIfPresent(params)
    _ = try ReportTargets.load(params, name: name)
    let unknown = params.unusedKeys()
    if let first = unknown.first {
      let more = unknown.count > 1 ? " (also unknown: \(unknown.dropFirst().joined(separator: ", ")))" : ""
      throw params.invalid(first, "unknown key: no tool reads it\(more)")
    }
  }
}
