import ArgumentParser
import MICommandLine

/// `mi-catalog import KIND FILE --name NAME`: the import subcommands, one per kind of reference data.
struct Import: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Import reference data as a new named version.",
    discussion: """
      Each kind has its own subcommand; all take --name and refuse a name that exists unless --replace.

      Example:
        mi-catalog import proc examples/proc.tsv --name proc-yb2
      """,
    subcommands: [
      ImportDict.self, ImportDx.self, ImportProc.self, ImportHospitals.self,
      // Domain imports are registered below this line.
      ImportDIP.self, ImportProcClass.self, ImportDRGWeights.self,
      ImportParams.self,
      ImportDRGScheme.self,
      ImportKP.self, ImportAuditRules.self,
    ])
}

/// The flags every import shares: the version's name and whether it may replace an existing one.
struct ImportOptions: ParsableArguments {
  /// `--name NAME`.
  @Option(help: ArgumentHelp("Name of the new version (e.g. dx-yb2, hospitals-2024).", valueName: "name"))
  var name: String

  /// `--replace`.
  @Flag(help: "Replace an existing version of the same name.")
  var replace = false

  func validate() throws {
    try VersionName.validate(name, flag: "--name")
  }
}
