import Foundation
import MICore

/// The settings every generator shares (the flags of `mi-gen`'s subcommands): the same settings and seed give
/// the same bytes.
public struct SynthOptions: Sendable {
  /// Number of records (for fees: number of cases whose lines are written).
  public var count: Int
  /// Random seed.
  public var seed: UInt64
  /// Settlement year.
  public var year: Int
  /// Number of hospitals (institutions) in the pool.
  public var hospitals: Int
  /// The pool's 医保区划 (6 digits).
  public var admdvs: String
  /// Fraction of deliberately bad lines.
  public var badRate: Double
  /// Output file, or nil for standard output.
  public var output: String?
  /// Workspace database, for dictionaries named by version.
  public var db: String?

  public init(
    count: Int, seed: UInt64, year: Int, hospitals: Int, admdvs: String, badRate: Double, output: String?,
    db: String?
  ) {
    self.count = count
    self.seed = seed
    self.year = year
    self.hospitals = hospitals
    self.admdvs = admdvs
    self.badRate = badRate
    self.output = output
    self.db = db
  }
}

/// The generators of `mi-gen`: each streams its records to `options.output` without holding them in memory.
public enum Synth {
  /// Inpatient settlements (住院结算) with 结算清单 fields; `dx` and `proc` are files or dictionary version names.
  ///
  /// Longer than ~60 lines on purpose: one straight run of a record's members in output order, the hot loop of
  /// millions of records; split, each piece would pass the generator's state and the buffer back and forth.
  public static func cases(_ options: SynthOptions, dx: String, proc: String) throws {
    let dicts = Dictionaries(
      dx: try Dictionaries.codes(dx, kind: "dx", db: options.db),
      proc: try Dictionaries.codes(proc, kind: "proc", db: options.db))
    let world = World(dictionaries: dicts, hospitals: options.hospitals, admdvs: options.admdvs)
    let out = try OutputFile(path: options.output)
    var rng = SplitMix64(seed: options.seed, stream: 1)
    let year = options.year
    let persons = max(1, options.count * 10 / 13)
    let remote = Array("330100".utf8)
    let pool = Array(options.admdvs.utf8)
    for i in 0..<options.count {
      if options.badRate > 0 && rng.chance(options.badRate) {
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
      b.fenField(",\"medfee_sumamt\":", total)
      b.fenField(",\"fulamt_ownpay_amt\":", ownpay)
      b.fenField(",\"overlmt_selfpay\":", overlmt)
      b.fenField(",\"preselfpay_amt\":", preself)
      b.fenField(",\"inscp_scp_amt\":", inscp)
      b.fenField(",\"act_pay_dedc\":", Swift.min(deductible, inscp))
      b.fenField(",\"hifp_pay\":", hifp)
      b.fenField(",\"hifmi_pay\":", hifmi)
      b.fenField(",\"fund_pay_sumamt\":", fund)
      b.fenField(",\"psn_part_amt\":", psn)
      b.fenField(",\"acct_pay\":", acct)
      b.fenField(",\"psn_cash_pay\":", psn - acct)
      b.fenField(",\"hosp_part_amt\":0.00,\"hv_mcs_amt\":", hv)
      b.lit("}\n")
      out.buffer = b
      try out.flushIfNeeded()
    }
    try out.finish()
  }

  /// Outpatient settlements (门诊结算) of `persons` insured persons over `institutions` institutions.
  ///
  /// Longer than ~60 lines on purpose: one straight run of a record's members in output order, the hot loop of
  /// millions of records; split, each piece would pass the generator's state and the buffer back and forth.
  public static func outpatient(_ options: SynthOptions, persons: Int, institutions: Int?) throws {
    let count = institutions ?? options.hospitals
    guard count >= 1, persons >= 1 else { throw MIError.usage("--institutions and --persons must be at least 1") }
    let codes = (0..<count).map { World.hospitalCode(options.admdvs, $0) }
    let remoteInst = Array("H33010000001".utf8)
    let remote = Array("330100".utf8)
    let pool = Array(options.admdvs.utf8)
    let out = try OutputFile(path: options.output)
    var rng = SplitMix64(seed: options.seed, stream: 2)
    let year = options.year
    var lastId = 0
    var lastAmt: (Int64, Int64) = (0, 0)
    var lastPerson = 0
    var lastInst = 0
    for i in 0..<options.count {
      if options.badRate > 0 && rng.chance(options.badRate) {
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
      b.fenField("\",\"medfee_sumamt\":", total)
      b.fenField(",\"hifp_pay\":", fund)
      b.fenField(",\"psn_part_amt\":", total - fund)
      b.fenField(",\"special_amt\":", specialAmt)
      b.lit("}\n")
      out.buffer = b
      try out.flushIfNeeded()
    }
    try out.finish()
  }

  /// Fee-detail lines (费用明细) for `options.count` cases.
  ///
  /// Longer than ~60 lines on purpose: one straight run of a record's members in output order, the hot loop of
  /// millions of records; split, each piece would pass the generator's state and the buffer back and forth.
  public static func fees(_ options: SynthOptions) throws {
    let out = try OutputFile(path: options.output)
    var rng = SplitMix64(seed: options.seed, stream: 3)
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
    for i in 0..<options.count {
      let hospital = World.hospitalCode(options.admdvs, rng.below(options.hospitals))
      let lines = 5 + rng.below(36)
      let day = rng.below(daysIn(options.year))
      let doctor = rng.below(40)
      for _ in 0..<lines {
        sn += 1
        if options.badRate > 0 && rng.chance(options.badRate) {
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
        b.padded(options.year, 4)
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
        b.fenField(",\"pric\":", price)
        b.fenField(",\"pric_uplmt_amt\":", item.4)
        b.fenField(",\"det_item_fee_sumamt\":", amount)
        b.fenField(",\"fulamt_ownpay_amt\":", ownpay)
        b.fenField(",\"overlmt_amt\":", overAmt)
        b.fenField(",\"preselfpay_amt\":", preself)
        b.fenField(",\"inscp_scp_amt\":", amount - ownpay - overAmt - preself)
        b.lit(",\"fee_ocur_time\":\"")
        b.dateTime(year: options.year, day: day, seconds: 8 * 3600 + rng.below(10 * 3600))
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

  /// A hospital registry (CSV) matching the codes of the other generators.
  public static func hospitals(_ options: SynthOptions) throws {
    let out = try OutputFile(path: options.output)
    try out.write("fixmedins_code,fixmedins_name,hosp_lv,admdvs,payment,start_date\n")
    for i in 0..<options.hospitals {
      let level = World.hospitalLevel(i)
      let code = String(decoding: World.hospitalCode(options.admdvs, i), as: UTF8.self)
      let name = level == 3 ? "示例市第\(i + 1)人民医院" : (level == 2 ? "示例县第\(i + 1)医院" : "示例第\(i + 1)乡镇卫生院")
      let payment = level == 1 && i % 3 == 0 ? "按项目" : "DIP"
      try out.write("\(code),\(name),\(level),\(options.admdvs),\(payment),\(options.year)-01-01\n")
    }
    try out.finish()
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
