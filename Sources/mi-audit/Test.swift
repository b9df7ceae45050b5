import ArgumentParser
import MIAudit
import MICommandLine

/// `mi-audit test`: runs the examples of a rule set.
struct Test: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "test",
    abstract: "Run every enabled rule's examples alone and report pass or fail per example.",
    discussion: """
      Each [[rule.example]] of a rule set gives case and fee records and the number of findings the rule must \
      make of them (expect = 0: must not fire), optionally their total vola_amt. Every enabled rule needs at \
      least one example that fires and one that does not. One line per example on standard output; exit 1 \
      when any fails.

      Example: test the example rule set against the knowledge points
        mi-audit test --rules examples/audit/rules.toml \\
          --kp ../shared/reference/audit
      """)

  @OptionGroup var audit: AuditOptions

  @Option(name: .customLong("rule"), help: ArgumentHelp("Only this rule id (repeatable).", valueName: "id"))
  var ruleIDs: [String] = []

  @OptionGroup(title: "Common options") var common: CommonOptions

  func run() throws {
    try AuditCommands.test(try audit.engine(common: common), ruleIDs: ruleIDs, output: common.output)
  }
}
