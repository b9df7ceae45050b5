import ArgumentParser
import Foundation
import MICommandLine
import MICore
import MISynth

/// `mi-gen`: seeded synthetic data for demos, tests and benchmarks.
struct MIGen: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mi-gen",
    abstract: "Generate synthetic medical-insurance data: cases, outpatient settlements, fee lines, hospitals.",
    discussion: """
      Same seed, same bytes. Records stream to standard output (or -o FILE) and are never held in memory, so \
      ten million cases need no more memory than ten. The data is synthetic: no real person appears in it.

      Example: a year of inpatient cases over the national dictionaries, grouped
        mi-gen cases --count 100000 --seed 7 --year 2024 \\
          --dx ../shared/reference/icd/dx-yb2.tsv \\
          --proc ../shared/reference/icd/proc-yb2.tsv \\
          | mi-group --scheme chs-drg-1.1 > grouped.ndjson
      """,
    version: MIVersion.current,
    subcommands: [Cases.self, Outpatient.self, Fees.self, Hospitals.self])
}

/// Flags shared by the generators.
struct GenOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Number of records (for fees: number of cases whose lines are written).", valueName: "n"))
  var count: Int = 1000
  @Option(help: ArgumentHelp("Random seed: the same seed gives the same bytes.", valueName: "n"))
  var seed: UInt64 = 1
  @Option(help: ArgumentHelp("Settlement year.", valueName: "yyyy"))
  var year: Int = 2024
  @Option(help: ArgumentHelp("Number of hospitals (institutions) in the pool.", valueName: "n"))
  var hospitals: Int = 20
  @Option(help: ArgumentHelp("The pool's 医保区划 (6 digits).", valueName: "code"))
  var admdvs: String = "331100"
  @Option(
    help: ArgumentHelp(
      "Fraction of deliberately bad lines (malformed JSON, bad money, bad UTF-8), for error-path tests.", valueName: "f"
    ))
  var badRate: Double = 0
  @Option(name: .shortAndLong, help: ArgumentHelp("Write to FILE instead of standard output.", valueName: "file"))
  var output: String?
  @Option(
    help: ArgumentHelp(
      "Workspace database, for dictionaries named by version (default: $MI_DB, else ./mi.db).", valueName: "path"))
  var db: String?

  /// The generators' settings.
  var synth: SynthOptions {
    SynthOptions(
      count: count, seed: seed, year: year, hospitals: hospitals, admdvs: admdvs, badRate: badRate, output: output,
      db: db)
  }

  func validate() throws {
    guard count >= 0 else { throw ValidationError("--count must be 0 or more") }
    guard hospitals >= 1 else { throw ValidationError("--hospitals must be at least 1") }
    guard (1900...2999).contains(year) else { throw ValidationError("--year must be a four-digit year") }
    guard (0...1).contains(badRate) else { throw ValidationError("--bad-rate must lie in 0…1") }
    guard admdvs.count == 6, admdvs.allSatisfy({ $0.isASCII && $0.isNumber }) else {
      throw ValidationError("--admdvs must be 6 digits")
    }
  }
}

/// `mi-gen cases`: inpatient settlements (住院结算) with 结算清单 fields.
struct Cases: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Generate inpatient cases (NDJSON, SCHEMA.md field names).",
    discussion: """
      Diagnoses and procedures come from --dx and --proc: a TSV/CSV file (code, name) or the name of a \
      dictionary version in the workspace. About 800 disease profiles are fixed by the dictionaries (not by the \
      seed), each with its usual procedures, a lognormal cost and a length of stay, so that different years and \
      seeds of one pool share their diseases, as history and current year do. Hospitals have levels 1–3; \
      insutype is 310 (职工) or 390 (居民); about 3% of cases are 异地参保 (insured elsewhere).

      Example: three years of history for catalog derivation
        for y in 2021 2022 2023; do
          mi-gen cases --count 300000 --seed $y --year $y --dx dx-yb2 --proc proc-yb2
        done > history.ndjson
      """)

  @OptionGroup var gen: GenOptions
  @Option(help: ArgumentHelp("Diagnosis dictionary: file or version name.", valueName: "file|name"))
  var dx: String = "examples/dx.tsv"
  @Option(help: ArgumentHelp("Procedure dictionary: file or version name.", valueName: "file|name"))
  var proc: String = "examples/proc.tsv"
  @OptionGroup(title: "Layout options") var layout: LayoutOptions

  func run() throws { try layout.run(gen.synth) { try Synth.cases($0, dx: dx, proc: proc) } }
}
