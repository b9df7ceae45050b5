import ArgumentParser
import Foundation
import MICommandLine
import MICore

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
          --dx ../shared/reference/icd/dx-yb2.tsv --proc ../shared/reference/icd/proc-yb2.tsv \\
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

/// Writes a deliberately bad line of one of three kinds instead of a record (for `--bad-rate`).
func writeBadLine(_ rng: inout SplitMix64, serial: Int, into buf: inout [UInt8]) {
  switch rng.below(3) {
  case 0:
    buf.lit("{\"setl_id\":\"BAD")
    buf.num(serial)
    buf.lit("\",\"medfee_sumamt\":12.345}\n")
  case 1:
    buf.lit("{\"setl_id\":\"BAD")
    buf.num(serial)
    buf.lit("\",\"diag_codes\":[\"K35.800\"\n")
  default:
    buf.lit("{\"setl_id\":\"BAD")
    buf.num(serial)
    buf.lit("\",\"fixmedins_name\":\"")
    buf.append(contentsOf: [0xD2, 0xBD, 0xB1, 0xA3])  // 医保 in GB18030: not UTF-8
    buf.lit("\"}\n")
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

  func run() throws {
    let dicts = Dictionaries(
      dx: try Dictionaries.codes(dx, kind: "dx", db: gen.db),
      proc: try Dictionaries.codes(proc, kind: "proc", db: gen.db))
    let world = World(dictionaries: dicts, hospitals: gen.hospitals, admdvs: gen.admdvs)
    let out = try OutputFile(path: gen.output)
    var rng = SplitMix64(seed: gen.seed, stream: 1)
    let year = gen.year
    let persons = max(1, gen.count * 10 / 13)
    let remote = Array("330100".utf8)
    let pool = Array(gen.admdvs.utf8)
    for i in 0..<gen.count {
      if gen.badRate > 0 && rng.chance(gen.badRate) {
        writeBadLine(&rng, serial: i, into: &out.buffer)
        try out.flushIfNeeded()
        continue
      }
      let p = world.profiles[rng.pick(cumulative: world.profileWeights)]
      let hi = rng.pick(cumulative: world.hospitalWeights)
      let h = world.hospitals[hi]
      // Appending to a local array avoids exclusivity checks on the class property for every byte.
      var b = out.buffer
      out.buffer = []
      b.lit("{\"setl_id\":\"S")
      b.padded(year, 4)
      b.padded(i + 1, 9)
      b.lit("\",\"mdtrt_id\":\"M")
      b.padded(year, 4)
      b.padded(i + 1, 9)
      let person = rng.below(persons)
      b.lit("\",\"psn_no\":\"P")
      b.padded(person, 10)
      b.lit("\",\"fixmedins_code\":")
      b.str(h.code)
      b.lit(",\"hosp_lv\":\"")
      b.num(h.level)
      let insutype = stableHash("p\(person)") % 10 < 4 ? 310 : 390
      b.lit("\",\"insutype\":\"")
      b.num(insutype)
      b.lit("\",\"med_type\":\"21\",\"insuplc_admdvs\":")
      b.str(rng.chance(0.03) ? remote : pool)
      b.lit(",\"fix_blng_admdvs\":")
      b.str(pool)
      // Sex and age follow the profile: obstetric cases are women 18–45, newborn cases are 0 years old.
      let gend = p.sex != 0 ? p.sex : 1 + rng.below(2)
      b.lit(",\"gend\":\"")
      b.num(gend)
      b.lit("\",\"age\":")
      if p.newborn {
        b.lit("0,\"nwb_age\":")
        b.num(rng.below(28))
        b.lit(",\"nwb_bir_wt\":")
        b.num(1500 + rng.below(2700))
      } else if p.sex == 2 {
        b.num(18 + rng.below(28))
      } else {
        b.num(1 + min(94, Int(abs(rng.normal()) * 30 + Double(rng.below(30)))))
      }
      let los = max(1, Int((p.los * exp(0.35 * rng.normal())).rounded()))
      let dscgDay = rng.below(daysIn(year))
      let secs = 8 * 3600 + rng.below(10 * 3600)
      b.lit(",\"adm_time\":\"")
      b.dateTime(year: year, day: dscgDay - los, seconds: 7 * 3600 + rng.below(14 * 3600))
      b.lit("\",\"dscg_time\":\"")
      b.dateTime(year: year, day: dscgDay, seconds: secs)
      b.lit("\",\"setl_time\":\"")
      b.dateTime(year: year, day: dscgDay, seconds: secs + 600)
      b.lit("\",\"act_ipt_days\":")
      b.num(los)
      b.lit(",\"dscg_caty\":\"A")
      b.padded(Int(p.dx[0] % 20) + 1, 2)
      let w = rng.below(100)
      b.lit("\",\"dscg_way\":\"")
      b.num(w < 2 ? 5 : (w < 5 ? 2 : (w < 8 ? 4 : 1)))
      b.lit("\",\"chfpdr_code\":\"D")
      b.append(contentsOf: h.code.suffix(5))
      b.padded(rng.below(h.doctors), 3)
      b.lit("\",\"diag_codes\":[")
      b.str(p.dx)
      let secondary = rng.below(5)
      for _ in 0..<secondary {
        b.append(UInt8(ascii: ","))
        b.str(world.secondaryDx[rng.below(world.secondaryDx.count)])
      }
      b.lit("],\"oprn_codes\":[")
      var logCost = p.mu + p.sigma * rng.normal()
      var surgical = false
      if !p.procs.isEmpty && rng.chance(p.surgicalRate) {
        surgical = true
        b.str(p.procs[rng.below(p.procs.count)])
        if let r = p.related, rng.chance(0.4) {
          b.append(UInt8(ascii: ","))
          b.str(r)
          logCost += 0.25
        }
      }
      b.append(UInt8(ascii: "]"))
      // Cost: lognormal by profile, scaled by hospital level and length of stay.
      let levelFactor = h.level == 3 ? 1.15 : (h.level == 2 ? 0.95 : 0.75)
      let total = Int64((exp(logCost) * levelFactor * (0.8 + 0.04 * Double(min(los, 10)))) * 100)
      let ownpay = total * Int64(2 + rng.below(6)) / 100
      let overlmt = total * Int64(rng.below(2)) / 100
      let preself = total * Int64(4 + rng.below(8)) / 100
      let inscp = total - ownpay - overlmt - preself
      let deductible: Int64 = h.level == 3 ? 80000 : (h.level == 2 ? 40000 : 20000)
      let rate: Int64 = insutype == 310 ? (h.level == 3 ? 85 : 90) : (h.level == 3 ? 60 : (h.level == 2 ? 72 : 85))
      let hifp = Swift.max(0, (inscp - deductible) * rate / 100)
      let hifmi = inscp > 3_000_000 ? (inscp - 3_000_000) / 2 : 0
      let fund = hifp + hifmi
      let psn = total - fund
      let acct = insutype == 310 ? psn * Int64(rng.below(50)) / 100 : 0
      let hv = surgical && rng.chance(0.3) ? total * Int64(5 + rng.below(25)) / 100 : 0
      b.lit(",\"medfee_sumamt\":")
      b.fen(total)
      b.lit(",\"fulamt_ownpay_amt\":")
      b.fen(ownpay)
      b.lit(",\"overlmt_selfpay\":")
      b.fen(overlmt)
      b.lit(",\"preselfpay_amt\":")
      b.fen(preself)
      b.lit(",\"inscp_scp_amt\":")
      b.fen(inscp)
      b.lit(",\"act_pay_dedc\":")
      b.fen(Swift.min(deductible, inscp))
      b.lit(",\"hifp_pay\":")
      b.fen(hifp)
      b.lit(",\"hifmi_pay\":")
      b.fen(hifmi)
      b.lit(",\"fund_pay_sumamt\":")
      b.fen(fund)
      b.lit(",\"psn_part_amt\":")
      b.fen(psn)
      b.lit(",\"acct_pay\":")
      b.fen(acct)
      b.lit(",\"psn_cash_pay\":")
      b.fen(psn - acct)
      b.lit(",\"hosp_part_amt\":0.00,\"hv_mcs_amt\":")
      b.fen(hv)
      b.lit("}\n")
      out.buffer = b
      try out.flushIfNeeded()
    }
    try out.finish()
  }
}
