import ArgumentParser
import Foundation
import MICommandLine
import MICore

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
        mi-gen outpatient --count 3000000 --persons 500000 --hospitals 200 --seed 1 --year 2024 > opt.ndjson
      """)

  @OptionGroup var gen: GenOptions
  @Option(help: ArgumentHelp("Number of distinct insured persons.", valueName: "n"))
  var persons: Int = 1000
  @Option(help: ArgumentHelp("Number of institutions (same as --hospitals).", valueName: "n"))
  var institutions: Int?

  func run() throws {
    let count = institutions ?? gen.hospitals
    guard count >= 1, persons >= 1 else { throw MIError.usage("--institutions and --persons must be at least 1") }
    let codes = (0..<count).map { World.hospitalCode(gen.admdvs, $0) }
    let remoteInst = Array("H33010000001".utf8)
    let remote = Array("330100".utf8)
    let pool = Array(gen.admdvs.utf8)
    let out = try OutputFile(path: gen.output)
    var rng = SplitMix64(seed: gen.seed, stream: 2)
    let year = gen.year
    var lastId = 0
    var lastAmt: (Int64, Int64) = (0, 0)
    var lastPerson = 0
    var lastInst = 0
    for i in 0..<gen.count {
      if gen.badRate > 0 && rng.chance(gen.badRate) {
        writeBadLine(&rng, serial: i, into: &out.buffer)
        try out.flushIfNeeded()
        continue
      }
      var b = out.buffer
      out.buffer = []
      let refund = i > 0 && rng.chance(0.005)
      let person = refund ? lastPerson : rng.below(persons)
      let h = stableHash("p\(person)")
      let insutype = h % 10 < 4 ? 310 : 390
      let insuredElsewhere = h % 50 == 7
      let treatedElsewhere = !insuredElsewhere && rng.chance(0.03)
      let inst = refund ? lastInst : (rng.chance(0.8) ? Int((h >> 8) % UInt64(count)) : rng.below(count))
      let special = rng.chance(0.15)
      b.lit("{\"setl_id\":\"O")
      b.padded(year, 4)
      b.padded(i + 1, 10)
      b.lit("\",\"psn_no\":\"P")
      b.padded(person, 10)
      b.lit("\",\"fixmedins_code\":")
      b.str(treatedElsewhere ? remoteInst : codes[inst])
      b.lit(",\"insutype\":\"")
      b.num(insutype)
      b.lit("\",\"med_type\":\"")
      b.lit(special ? "14" : "11")
      b.lit("\",\"insuplc_admdvs\":")
      b.str(insuredElsewhere ? remote : pool)
      b.lit(",\"fix_blng_admdvs\":")
      b.str(treatedElsewhere ? remote : pool)
      b.lit(",\"setl_time\":\"")
      b.dateTime(year: year, day: rng.below(daysIn(year)), seconds: 8 * 3600 + rng.below(9 * 3600))
      var total: Int64
      var fund: Int64
      if refund {
        total = -lastAmt.0
        fund = -lastAmt.1
        b.lit("\",\"refd_setl_flag\":\"1\",\"init_setl_id\":\"O")
        b.padded(year, 4)
        b.padded(lastId, 10)
      } else {
        let median = special ? 350.0 : 80.0
        total = Int64(median * exp(0.6 * rng.normal()) * 100)
        fund = total * Int64(insutype == 310 ? 70 : 55) / 100
        lastAmt = (total, fund)
        lastId = i + 1
        lastPerson = person
        lastInst = inst
      }
      let specialAmt: Int64 = !refund && rng.chance(0.02) ? fund / 2 : 0
      b.lit("\",\"medfee_sumamt\":")
      b.fen(total)
      b.lit(",\"hifp_pay\":")
      b.fen(fund)
      b.lit(",\"psn_part_amt\":")
      b.fen(total - fund)
      b.lit(",\"special_amt\":")
      b.fen(specialAmt)
      b.lit("}\n")
      out.buffer = b
      try out.flushIfNeeded()
    }
    try out.finish()
  }
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

  func run() throws {
    let out = try OutputFile(path: gen.output)
    var rng = SplitMix64(seed: gen.seed, stream: 3)
    // A fixed catalogue of items: code, list type (101 西药 102 中成药 201 诊疗 301 材料), level, price in fen, cap.
    var items: [([UInt8], [UInt8], Int, Int64, Int64)] = []
    var crng = SplitMix64(seed: 0x4645_4553)
    for k in 0..<400 {
      let type: [UInt8] = Array(["101", "102", "201", "301"][k % 4].utf8)
      let code = Array("\(["XA", "ZA", "001", "C"][k % 4])\(String(format: "%06d", k * 37 % 1_000_000))".utf8)
      let price = Int64(100 + crng.below(50_000))
      items.append((code, type, 1 + k % 3, price, price + price / 5))
    }
    var sn = 0
    for i in 0..<gen.count {
      let hospital = World.hospitalCode(gen.admdvs, rng.below(gen.hospitals))
      let lines = 5 + rng.below(36)
      let day = rng.below(daysIn(gen.year))
      let doctor = rng.below(40)
      for _ in 0..<lines {
        sn += 1
        if gen.badRate > 0 && rng.chance(gen.badRate) {
          writeBadLine(&rng, serial: sn, into: &out.buffer)
          continue
        }
        let item = items[rng.below(items.count)]
        let cnt = 1 + rng.below(5)
        let over = rng.chance(0.01)
        let price = over ? item.4 + item.3 / 10 : item.3
        let amount = price * Int64(cnt)
        let overAmt = over ? (price - item.4) * Int64(cnt) : 0
        let ownpay = item.2 == 3 ? amount - overAmt : 0
        let preself = item.2 == 2 ? (amount - overAmt) / 10 : 0
        var b = out.buffer
        out.buffer = []
        b.lit("{\"feedetl_sn\":\"F")
        b.padded(sn, 12)
        b.lit("\",\"setl_id\":\"S")
        b.padded(gen.year, 4)
        b.padded(i + 1, 9)
        b.lit("\",\"fixmedins_code\":")
        b.str(hospital)
        b.lit(",\"med_list_codg\":")
        b.str(item.0)
        b.lit(",\"list_type\":")
        b.str(item.1)
        b.lit(",\"chrgitm_lv\":\"0")
        b.num(item.2)
        b.lit("\",\"cnt\":")
        b.num(cnt)
        b.lit(",\"pric\":")
        b.fen(price)
        b.lit(",\"pric_uplmt_amt\":")
        b.fen(item.4)
        b.lit(",\"det_item_fee_sumamt\":")
        b.fen(amount)
        b.lit(",\"fulamt_ownpay_amt\":")
        b.fen(ownpay)
        b.lit(",\"overlmt_amt\":")
        b.fen(overAmt)
        b.lit(",\"preselfpay_amt\":")
        b.fen(preself)
        b.lit(",\"inscp_scp_amt\":")
        b.fen(amount - ownpay - overAmt - preself)
        b.lit(",\"fee_ocur_time\":\"")
        b.dateTime(year: gen.year, day: day, seconds: 8 * 3600 + rng.below(10 * 3600))
        b.lit("\",\"bilg_dept_codg\":\"A")
        b.padded(1 + doctor % 12, 2)
        b.lit("\",\"bilg_dr_codg\":\"D")
        b.append(contentsOf: hospital.suffix(5))
        b.padded(doctor, 3)
        b.lit("\"}\n")
        out.buffer = b
        try out.flushIfNeeded()
      }
    }
    try out.finish()
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
        mi-gen hospitals --hospitals 20 > hospitals.csv && mi-catalog import hospitals hospitals.csv --name hosp
      """)

  @OptionGroup var gen: GenOptions

  func run() throws {
    let out = try OutputFile(path: gen.output)
    try out.write("fixmedins_code,fixmedins_name,hosp_lv,admdvs,payment,start_date\n")
    for i in 0..<gen.hospitals {
      let level = World.hospitalLevel(i)
      let code = String(decoding: World.hospitalCode(gen.admdvs, i), as: UTF8.self)
      let name = level == 3 ? "示例市第\(i + 1)人民医院" : (level == 2 ? "示例县第\(i + 1)医院" : "示例第\(i + 1)乡镇卫生院")
      let payment = level == 1 && i % 3 == 0 ? "按项目" : "DIP"
      try out.write("\(code),\(name),\(level),\(gen.admdvs),\(payment),\(gen.year)-01-01\n")
    }
    try out.finish()
  }
}
