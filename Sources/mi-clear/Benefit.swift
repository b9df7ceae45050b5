import ArgumentParser
import Foundation
import MIClearing
import MICommandLine
import MICore

/// `mi-clear benefit --policy FILE`: old and new fund amounts per case and per hospital under a benefit policy.
struct Benefit: ParsableCommand {
  /// The command's name, help text and subcommands.
  static let configuration = CommandConfiguration(
    abstract: "Simulate a benefit policy (起付线, 报销比例 by level): old vs new fund amounts per case and hospital.",
    discussion: """
      For each case the new fund amount is max(0, inscp_scp_amt − 起付线) × 报销比例 by
      insutype, setting (med_type 2x/52 inpatient, 11 普通门诊) and hosp_lv,
      from a TOML policy file (examples/benefit-policy.toml holds Linyi's 居民
      rules, seed 001). Each case is written with fund_old_amt (its hifp_pay),
      fund_new_amt and fund_diff_amt; then one kind "benefit" record per hospital
      and insutype and a kind "benefit-total" record.

      Example: what would Linyi's rules cost, hospital by hospital?
        mi-clear benefit --policy examples/benefit-policy.toml --by-hospital \\
          cases.ndjson
      """)

  /// `--policy FILE`.
  @Option(help: ArgumentHelp("Benefit policy file (TOML, [benefit] section).", valueName: "file"))
  var policy: String

  /// `--by-hospital`.
  @Flag(help: "Write only the per-hospital and total records, not the cases.")
  var byHospital = false

  /// Case files.
  @Argument(help: ArgumentHelp("Case files (NDJSON, .gz allowed); standard input when none or '-'.", valueName: "file"))
  var inputs: [String] = []

  /// -o, --rejects, --db and the other flags every tool shares.
  @OptionGroup(title: "Common options") var common: CommonOptions

  /// Runs the command: parse, call the library, report.
  func run() throws {
    let rules = try BenefitPolicy.load(file: policy)
    let sim = BenefitSimulation(policy: rules)
    let stream = try RecordStream(inputs: inputs, options: common.stream)
    let write = !byHospital
    try stream.run { s in
      try sim.apply(s, writeCase: write, into: &stream.out.buffer)
      return write ? .written : .consumed
    }
    try stream.emit { b in sim.writeTotals(into: &b) }
    try stream.finish(extra: ["no rule \(sim.unmatched)"])
  }
}
