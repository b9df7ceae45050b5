import ArgumentParser
import MIAudit
import MICommandLine
import MICore

/// `mi-catalog import kp`: the national knowledge-point tables as one version.
struct ImportKP: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kp",
    abstract: "Import the nine knowledge-point tables (智能监管知识库) of a directory as one version.",
    discussion: """
      The directory holds kp-sex.tsv, kp-age.tsv, kp-insutype.tsv, kp-mdtrt.tsv, kp-level.tsv, kp-course.tsv, \
      kp-discount.tsv, kp-duplicate.tsv and kp-frequency.tsv (../shared/reference/audit/README.md gives every \
      column). Each header must be the published one and every value a rule reads is checked (exit 2 naming \
      file, line and column). The files are kept as they are; each row is also an entry keyed by its kp_id, so \
      mi-catalog diff lists the knowledge points added, removed and changed between two versions.

      Example:
        mi-catalog import kp ../shared/reference/audit --name kp-2025
        mi-catalog diff kp-2025 kp-2026 | grep '^+' | head
      """)

  @Argument(help: ArgumentHelp("The directory of the nine TSV files.", valueName: "dir")) var directory: String
  @OptionGroup var options: ImportOptions
  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    try KnowledgeStore.importVersion(directory: directory, name: options.name, replace: options.replace) {
      () throws(MIError) in try common.workspace(.create)
    }
  }
}

/// `mi-catalog import audit-rules`: a rule set of mi-audit, checked and its examples run.
struct ImportAuditRules: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit-rules",
    abstract: "Import an mi-audit rule set (TOML) after checking it and running its examples.",
    discussion: """
      The rule set must parse, name known rule types and use only the keys its types read (exit 2 naming the \
      line, the rule and the key). Its examples run (as mi-audit test) when --kp names the knowledge points or \
      no enabled rule needs them; a failing example refuses the import. The file is stored as it is, comments \
      included; relative parameter paths (registrations) are read from its directory.

      Example:
        mi-catalog import audit-rules examples/audit/rules.toml \\
          --name rules-2025 --kp kp-2025
      """)

  @Argument(help: ArgumentHelp("The rule-set file (TOML).", valueName: "file")) var file: String
  @Option(
    help: ArgumentHelp("Knowledge points to run the examples with: a version or a directory.", valueName: "name|dir"))
  var kp: String?
  @OptionGroup var options: ImportOptions
  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    try RuleSetStore.importVersion(file: file, name: options.name, replace: options.replace, kp: kp) {
      (access: Workspace.Access) throws(MIError) in try common.workspace(access)
    }
  }
}
