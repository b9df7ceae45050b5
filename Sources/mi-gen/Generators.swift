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

      Example:
        mi-gen fees --count 1000 --seed 7 --year 2024 > fees.ndjson
      """)

  @OptionGroup var gen: GenOptions

  func run() throws { try Synth.fees(gen.synth) }
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
