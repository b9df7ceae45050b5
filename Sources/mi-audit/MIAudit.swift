import ArgumentParser
import MICommandLine
import MICore

/// `mi-audit`: audit rules over settlements and fee-detail lines, with the national knowledge points (issue 14).
struct MIAudit: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mi-audit",
    abstract: "Audit settlements and fee-detail lines against a rule set and the national knowledge points.",
    discussion: """
      A rule set (TOML, mi-catalog import audit-rules) lists rule instances: their type, parameters, severity, \
      amount mode and examples. The knowledge points are the NHSA tables imported with mi-catalog import kp. \
      Findings are NDJSON records of kind finding (AUDIT.md §2.2), in rule, key and input order.

      Example: import the knowledge points and the example rule set, audit a month
        mi-catalog import kp ../shared/reference/audit --name kp-2025
        mi-catalog import audit-rules examples/audit/rules.toml \\
          --name rules-2025 --kp kp-2025
        mi-audit run --rules rules-2025 --kp kp-2025 --cases cases.ndjson \\
          --fees fees.ndjson -o findings.ndjson
      """,
    version: MIVersion.current,
    subcommands: [Run.self, Test.self, Doctors.self, Summary.self, LedgerCommands<AuditLedger>.self])
}
