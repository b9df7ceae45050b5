import ArgumentParser
import Foundation
import MICommandLine
import MICore
import MISynth

/// `mi-gen outpatient`: outpatient settlements for capitation.
struct Outpatient: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Generate outpatient settlements (门诊结算) for capitation.",
    discussion: """
      Each person has an insutype (310 or 390) and a usual institution (80% of visits). med_type is 11 (普通门诊) \
      or 14 (门诊慢特病, about 15%). About 2% of settlements are of persons insured elsewhere (异地参保), 3% of \
      the pool's insured treated outside the pool (异地就医), 2% carry 门诊特殊费用 (special_amt), and 0.5% \
      are refunds: a negative row pointing at the settlement it reverses (refd_setl_flag, init_setl_id).

      Example: a year for a county
        mi-gen outpatient --count 3000000 --persons 500000 --hospitals 200 \\
          --seed 1 --year 2024 > opt.ndjson
      """)

  @OptionGroup var gen: GenOptions
  @Option(help: ArgumentHelp("Number of distinct insured persons.", valueName: "n"))
  var persons: Int = 1000
  @Option(help: ArgumentHelp("Number of institutions (same as --hospitals).", valueName: "n"))
  var institutions: Int?

  func run() throws { try Synth.outpatient(gen.synth, persons: persons, institutions: institutions) }
}

/// `mi-gen fees`: fee-detail lines (费用明细) for detail-level audit.
struct Fees: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Generate fee-detail lines (费用明细) for --count cases.",
    discussion: """
      Each case gets 5–40 lines over a fixed catalogue of items with prices and price caps; about 1% of lines \
      are charged above their cap (pric > pric_uplmt_amt), for audit rules to find. setl_id values match \
      'mi-gen cases' with the same --seed and --year.

      With --cases-out, the generator writes audit test data instead: one inpatient case per person, consistent \
      with its lines (mdtrt_id, psn_no, med_chrgitm_type, departments and doctors, fee times inside the stay, \
      medfee_sumamt and item_amts summed from the lines), on which no rule of examples/audit/rules.toml fires. \
      --previous-out writes the same settlements a year earlier, for the rules that compare with a previous \
      period. --inject RATE plants violations of every rule of --rules in about RATE of the cases (each rule at \
      least three times; person and institution rules add cases) with codes from the knowledge points of --kp, \
      and --manifest lists every finding they must give as {"rule_id","key"}, the key being the finding's \
      feedetl_sn, else setl_id, else psn_no, else fixmedins_code.

      Example:
        mi-gen fees --count 1000 --seed 7 --year 2024 > fees.ndjson

      Example: an audit month with planted violations and its manifest
        mi-gen fees --count 4000 --seed 14 --inject 0.05 \\
          --kp ../shared/reference/audit --manifest manifest.ndjson \\
          --cases-out cases.ndjson --previous-out previous.ndjson \\
          -o fees.ndjson
      """)

  @OptionGroup var gen: GenOptions
  @Option(help: ArgumentHelp("Also write one consistent case record per settlement to FILE.", valueName: "file"))
  var casesOut: String?
  @Option(
    help: ArgumentHelp(
      "Also write the previous period's cases (the same settlements a year earlier) to FILE.", valueName: "file"))
  var previousOut: String?
  @Option(help: ArgumentHelp("Plant violations of every rule in about this fraction of cases.", valueName: "rate"))
  var inject: Double?
  @Option(
    help: ArgumentHelp(
      "Knowledge points to plant from: a kp version or a directory of kp-*.tsv.", valueName: "name|dir"))
  var kp: String?
  @Option(help: ArgumentHelp("The rule set to plant (default examples/audit/rules.toml).", valueName: "name|file"))
  var rules: String?
  @Option(help: ArgumentHelp("Write the expected findings ({rule_id, key}) to FILE.", valueName: "file"))
  var manifest: String?
  @Option(help: ArgumentHelp("Mean fee lines per case, with --cases-out or --inject.", valueName: "n"))
  var linesPerCase: Int = 20
  @Option(
    help: ArgumentHelp("Outpatient settlements per inpatient case, with --cases-out or --inject.", valueName: "n"))
  var outpatientPerCase: Int = 5

  func validate() throws {
    if let inject, !(0...1).contains(inject) { throw ValidationError("--inject must lie in 0…1") }
    guard linesPerCase >= 2 else { throw ValidationError("--lines-per-case must be at least 2") }
    guard outpatientPerCase >= 0 else { throw ValidationError("--outpatient-per-case must be 0 or more") }
    if inject == nil && (kp != nil || manifest != nil || rules != nil) {
      throw ValidationError("--kp, --rules and --manifest go with --inject")
    }
  }

  func run() throws {
    let audit = AuditGenOptions(
      casesOut: casesOut, previousOut: previousOut, inject: inject, kp: kp, rules: rules, manifest: manifest,
      linesPerCase: linesPerCase, outpatientPerCase: outpatientPerCase)
    if audit.isActive { try Synth.auditFees(gen.synth, audit) } else { try Synth.fees(gen.synth) }
  }
}

/// `mi-gen hospitals`: a hospital registry for `mi-catalog import hospitals`.
struct Hospitals: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Generate a hospital registry (CSV) matching the codes of the other generators.",
    discussion: """
      Codes, levels and payment methods depend only on --count and --admdvs, so the registry fits every \
      'mi-gen cases' and 'mi-gen outpatient' run of the same pool.

      Example:
        mi-gen hospitals --hospitals 20 > hospitals.csv
        mi-catalog import hospitals hospitals.csv --name hosp
      """)

  @OptionGroup var gen: GenOptions

  func run() throws { try Synth.hospitals(gen.synth) }
}
