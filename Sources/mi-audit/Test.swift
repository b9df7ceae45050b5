import ArgumentParser
import MIAudit
import MICommandLine
import MICore

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
    let engine = try audit.engine(common: common)
    let outcomes = try RuleTester.run(
      engine.ruleSet, context: engine.context, only: ruleIDs.isEmpty ? nil : Set(ruleIDs))
    let out = try OutputFile(path: common.output)
    for o in outcomes { try out.write(o.line + "\n") }
    try out.finish()
    let failed = outcomes.filter { !$0.passed }.count
    Diagnostics.line("mi-audit: \(outcomes.count - failed) passed, \(failed) failed")
    if failed > 0 { throw MIError.refused("\(failed) example\(failed == 1 ? "" : "s") failed") }
  }
}
