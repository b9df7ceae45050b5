import Foundation
import MICore

/// Plants violations of the rules of a rule set into clean generated cases, and knows which findings each gives.
///
/// Why the clean part fires nothing: every person has one inpatient case (no person rule has two records to
/// compare); codes are the generator's own `GX…` codes, in no knowledge table or rule parameter; prices are under
/// their caps; lines fall inside their stay with a treatment line (05) on every day (D01, D08); no item is
/// self-paid (F04); examinations and laboratory tests are not billed (D07); diagnoses are ordinary principal codes
/// (E05); no case carries a case_class or group_code (F01, H05); and with --previous-out every institution's
/// previous period is its current one (growth, dual control and upcoding indicators see no change).
///
/// Each scenario changes one clean case (the `base`) or adds cases, so that exactly the findings it records in
/// the manifest fire: a planted kp line uses a code found in its table only (PlantKnowledge), sits on a day of
/// the stay, and is priced under its cap.
struct Planting {
  let rules: PlantRuleList
  let knowledge: PlantKnowledge
  /// Slot (0-based case index) → index in `rules.rules` of the rule planted there.
  var schedule: [Int: Int] = [:]
  /// How many times each rule has been planted so far (chooses variants in turn).
  var planted: [Int] = []
  /// Manifest rows keyed by person or institution (the writer adds those keyed by line and settlement).
  var writerMarks: [(String, String)] = []
  /// Cases of the previous period only, from the last plant (institution indicators), for the writer.
  var previousOnly: [GenCase] = []
  /// Dedicated institutions made so far (numbered after the pool's hospitals).
  var dedicated = 0
  /// Outpatient settlements per inpatient case (--outpatient-per-case).
  let outpatientPerCase: Int
  /// Rules that cannot be planted, with the reason.
  var unplantable: [(String, String)] = []
  /// Hospitals of grade 1 in the pool (A05 plants a level-restricted drug there).
  let gradeOne: [Int]
  let hospitals: Int

  init(
    rules: PlantRuleList, knowledge: PlantKnowledge, rate: Double, count: Int, options: SynthOptions,
    outpatientPerCase: Int
  ) throws(MIError) {
    self.rules = rules
    self.knowledge = knowledge
    hospitals = options.hospitals
    self.outpatientPerCase = outpatientPerCase
    gradeOne = (0..<options.hospitals).filter { World.hospitalLevel($0) == 1 }
    planted = Array(repeating: 0, count: rules.rules.count)
    var plantable: [Int] = []
    for (i, r) in rules.rules.enumerated() {
      if let why = Planting.cannotPlant(r, knowledge: knowledge, hospitals: options.hospitals) ?? cannotPlantSeed(r) {
        unplantable.append((r.id, why))
        Diagnostics.line("mi-gen: cannot plant \(r.id) (\(r.type)): \(why)")
      } else {
        plantable.append(i)
      }
    }
    guard !plantable.isEmpty else { return }
    // Each rule at least three times; about `rate` of the cases carry a plant, one plant per slot, the rules in
    // turn, spread evenly over the run.
    let perRule = max(3, Int((rate * Double(count) / Double(plantable.count)).rounded()))
    let total = perRule * plantable.count
    guard total <= count else {
      throw MIError.usage(
        "--count \(count) is too small for --inject: \(plantable.count) rules × \(perRule) plants need \(total) cases")
    }
    for k in 0..<total {
      schedule[k * count / total] = plantable[k % plantable.count]
    }
  }

  /// Why a rule cannot be planted (nil when it can): an unknown type, or no suitable knowledge row.
  static func cannotPlant(_ r: PlantRuleList.Rule, knowledge: PlantKnowledge, hospitals: Int) -> String? {
    let kpTable: [String: (String, (PlantKnowledge.Row) -> Bool)] = [
      "kp-sex": ("kp-sex", { $0["allowed_sex"] == "1" || $0["allowed_sex"] == "2" }),
      "kp-age": ("kp-age", PlantFilters.age),
      "kp-insutype": ("kp-insutype", { _ in true }),
      "kp-mdtrt": ("kp-mdtrt", { $0["allowed_mdtrt"] == "inpatient" }),
      "kp-level": ("kp-level", PlantFilters.level),
      "kp-duplicate": ("kp-duplicate", { _ in true }),
      "kp-course": ("kp-course", PlantFilters.course),
    ]
    if isInstitutionRule(r.type) { return cannotPlantInstitution(r) }
    if r.type == "kp-level" && !(0..<hospitals).contains(where: { World.hospitalLevel($0) == 1 }) {
      return "the pool has no grade 1 hospital (raise --hospitals)"
    }
    if let (table, filter) = kpTable[r.type] {
      return knowledge.rows(table, where: filter).isEmpty ? "no single-table row of \(table) to plant" : nil
    }
    switch r.type {
    case "kp-frequency":
      let rolling = PlantFilters.isRolling(r)
      return knowledge.rows("kp-frequency", where: { PlantFilters.frequency($0, rolling: rolling) }).isEmpty
        ? "no single-table \(rolling ? "rolling" : "calendar_day") row of kp-frequency" : nil
    case "kp-discount":
      return PlantFilters.discountPairs(knowledge).isEmpty ? "no kp-discount group with two single-table codes" : nil
    case "price-cap", "fee-outside-stay", "bed-only-days", "outpatient-during-stay", "overlapping-stays",
      "readmission", "low-standard-admission", "list-quality", "cost-outlier", "high-cost-case":
      return nil
    case "frequent-admission":
      return hospitals < 4 ? "needs at least 4 hospitals (--hospitals)" : nil
    case "frequency":
      let codes = r.strings("codes", [])
      if codes.isEmpty { return "no codes" }
      return codes.contains { knowledge.eligibilityCodes.contains($0) || knowledge.frequencyCodes.contains($0) }
        ? "its codes have a knowledge-point limit too" : nil
    case "duplicate-pair":
      let pairs = r.pairs("pairs")
      if pairs.isEmpty { return "no pairs" }
      return pairs.contains { knowledge.eligibilityCodes.contains($0.0) || knowledge.eligibilityCodes.contains($0.1) }
        ? "its codes have a knowledge-point limit too" : nil
    case "registered-care", "designated-site-quota", "dialysis":
      return nil
    default:
      return "the generator does not plant rule type \(r.type)"
    }
  }

  /// Plants rule `index` into the case `base` (and cases added to `extra`).
  mutating func plant(
    _ index: Int, base: inout GenCase, extra: inout [GenCase], maker: inout CaseMaker, writer: GenWriter
  ) throws(MIError) {
    let r = rules.rules[index]
    let turn = planted[index]
    planted[index] += 1
    switch r.type {
    case "kp-sex", "kp-age", "kp-insutype", "kp-mdtrt", "kp-level":
      plantEligibility(r, turn: turn, base: &base, maker: &maker)
    case "price-cap":
      // B01: a line charged above its cap, with no overlmt_amt declared: (pric − cap) × cnt > 0.
      var l = maker.line(
        maker.catalogue.treatment[turn % maker.catalogue.treatment.count], day: base.admDay + 1, base, cnt: 2)
      l.cap = l.pric - l.pric / 4
      l.marks = [r.id]
      base.lines.append(l)
    case "kp-duplicate": plantDuplicate(r, turn: turn, base: &base, maker: &maker)
    case "kp-discount": plantDiscount(r, turn: turn, base: &base, maker: &maker)
    case "kp-frequency": plantFrequency(r, turn: turn, base: &base, maker: &maker)
    case "kp-course": plantCourse(r, turn: turn, base: &base, maker: &maker)
    case "fee-outside-stay":
      // D01: a treatment line the day before admission (before the stay, whatever grace_days allows after it).
      var l = maker.line(maker.catalogue.treatment[0], day: base.admDay - 1, base)
      l.marks = [r.id]
      base.lines.append(l)
    case "bed-only-days": plantBedOnly(r, base: &base, maker: &maker)
    case "frequency", "duplicate-pair", "registered-care", "designated-site-quota", "dialysis":
      plantSeed(r, turn: turn, base: &base, extra: &extra, maker: &maker, writer: writer)
    case let t where Planting.isInstitutionRule(t):
      plantInstitution(r, turn: turn, extra: &extra, maker: &maker, writer: writer)
    default:
      try plantPerson(r, turn: turn, base: &base, extra: &extra, maker: &maker)
    }
  }

  /// A knowledge row of `table` chosen in turn among those passing `filter`.
  func pick(_ table: String, turn: Int, where filter: (PlantKnowledge.Row) -> Bool = { _ in true })
    -> PlantKnowledge.Row
  {
    let rows = knowledge.rows(table, where: filter)
    // Spread the turns over the table so that different drugs and items are planted.
    return rows[(turn * 7919) % rows.count]
  }

  /// A line of a knowledge code on `day`: drugs as 西药/中成药 (09/11), services as treatment (05), level 甲,
  /// priced 10.00–59.00 yuan under a cap.
  static func kpLine(_ code: String, day: Int, _ c: GenCase, cnt: Int = 1, secs: Int = 10 * 3600, pric: Int64? = nil)
    -> GenLine
  {
    let drug = code.hasPrefix("X") || code.hasPrefix("Z")
    let price = pric ?? Int64(1000 + Int(stableHash(code) % 50) * 100)
    return GenLine(
      code: Array(code.utf8), listType: drug ? (code.hasPrefix("X") ? 101 : 102) : 201,
      itemType: drug ? (code.hasPrefix("X") ? 9 : 11) : 5, level: 1, cnt: cnt, pric: price, cap: price + price / 5,
      day: day, secs: secs, dept: c.doctor % 12, doctor: c.doctor)
  }

  /// A01–A05: a restricted code billed for a patient, insurance, setting or hospital it is not allowed for.
  func plantEligibility(_ r: PlantRuleList.Rule, turn: Int, base: inout GenCase, maker: inout CaseMaker) {
    let row: PlantKnowledge.Row
    switch r.type {
    case "kp-sex":
      row = pick("kp-sex", turn: turn, where: { $0["allowed_sex"] == "1" || $0["allowed_sex"] == "2" })
      base.gend = row["allowed_sex"] == "1" ? 2 : 1
    case "kp-age":
      // A child-only item for an adult of 40 (the band's max_age is below 18).
      row = pick("kp-age", turn: turn, where: PlantFilters.age)
      base.age = 40
      base.birthYear = -40
    case "kp-insutype":
      // A work-injury or maternity drug settled by basic medical insurance (310/390).
      row = pick("kp-insutype", turn: turn)
    case "kp-mdtrt":
      // An inpatient-only drug on an ordinary outpatient settlement (med_type 11).
      row = pick("kp-mdtrt", turn: turn, where: { $0["allowed_mdtrt"] == "inpatient" })
      maker.makeOutpatient(&base)
    default:
      // A drug for grade 2 or 3 hospitals at a grade 1 hospital.
      row = pick("kp-level", turn: turn, where: PlantFilters.level)
      base.inst = gradeOne[turn % gradeOne.count]
      base.hospLv = 1
    }
    var l = Planting.kpLine(row.code, day: base.outpatient ? base.dscgDay : base.admDay + 1, base)
    l.marks = [r.id]
    base.lines.append(l)
  }

  /// B02: the main and the sub item of a pair ten minutes apart on one day of one visit; the sub line fires.
  func plantDuplicate(_ r: PlantRuleList.Rule, turn: Int, base: inout GenCase, maker: inout CaseMaker) {
    let row = pick("kp-duplicate", turn: turn)
    let day = base.admDay + 1
    base.lines.append(Planting.kpLine(row["main_code"], day: day, base, secs: 10 * 3600))
    var sub = Planting.kpLine(row["sub_code"], day: day, base, secs: 10 * 3600 + 600)
    sub.marks = [r.id]
    base.lines.append(sub)
  }

  /// B04: two operations of one group on one day, both at full price; the cheaper one is the second operation
  /// and is charged above the discounted price.
  func plantDiscount(_ r: PlantRuleList.Rule, turn: Int, base: inout GenCase, maker: inout CaseMaker) {
    let pairs = PlantFilters.discountPairs(knowledge)
    let (a, b) = pairs[(turn * 7919) % pairs.count]
    let day = base.admDay + 1
    base.lines.append(Planting.kpLine(a, day: day, base, secs: 9 * 3600, pric: 80_000))
    var second = Planting.kpLine(b, day: day, base, secs: 9 * 3600 + 1800, pric: 50_000)
    second.marks = [r.id]
    base.lines.append(second)
  }

  /// C01: one line of a per-day item with one unit more than max_count; C02: two occurrences of a rolling-period
  /// item on consecutive days, the later one in excess.
  func plantFrequency(_ r: PlantRuleList.Rule, turn: Int, base: inout GenCase, maker: inout CaseMaker) {
    let rolling = PlantFilters.isRolling(r)
    let row = pick("kp-frequency", turn: turn, where: { PlantFilters.frequency($0, rolling: rolling) })
    let max = Int(row["max_count"]) ?? 1
    if rolling {
      for k in 0...max {
        var l = Planting.kpLine(row.code, day: base.admDay + k, base, secs: 9 * 3600 + k * 60)
        if k == max { l.marks = [r.id] }
        base.lines.append(l)
      }
    } else {
      var l = Planting.kpLine(row.code, day: base.admDay + 1, base, cnt: max + 1, pric: 1000)
      l.marks = [r.id]
      base.lines.append(l)
    }
  }

  /// C03: an item with a course of max_days used on max_days + 1 days of a stay long enough; the last day's line
  /// is the excess (the finding's key is the latest line).
  func plantCourse(_ r: PlantRuleList.Rule, turn: Int, base: inout GenCase, maker: inout CaseMaker) {
    let row = pick("kp-course", turn: turn, where: PlantFilters.course)
    let maxDays = Int(row["max_days"]) ?? 14
    maker.restay(&base, adm: min(base.admDay, maker.days - maxDays - 8), los: maxDays + 2)
    for k in 0...maxDays {
      var l = Planting.kpLine(row.code, day: base.admDay + k, base)
      if k == maxDays { l.marks = [r.id] }
      base.lines.append(l)
    }
  }

  /// D08: min_days consecutive in-stay days (after the admission day) whose only lines are bed fees.
  func plantBedOnly(_ r: PlantRuleList.Rule, base: inout GenCase, maker: inout CaseMaker) {
    let run = r.int("min_days", 3)
    if base.dscgDay - base.admDay < run + 2 {
      maker.restay(&base, adm: min(base.admDay, maker.days - run - 8), los: run + 2)
    }
    let first = base.admDay + 1
    base.lines.removeAll { $0.day >= first && $0.day < first + run }
    // The finding is keyed by its latest line: the bed line of the run's last day.
    for d in first..<(first + run) {
      var l = maker.line(maker.catalogue.bed[d % 4], day: d, base, cnt: 1)
      if d == first + run - 1 { l.marks = [r.id] }
      base.lines.append(l)
    }
  }
}

/// Which knowledge rows each planter can use.
enum PlantFilters {
  /// A child or infant band whose max_age is below 18 (an adult of 40 is outside it).
  static func age(_ row: PlantKnowledge.Row) -> Bool {
    (row["age_group"] == "child" || row["age_group"] == "infant_toddler") && (Int(row["max_age"]) ?? 99) < 18
  }

  /// A grade 2 or 3 drug for every prescription, without the eye-specialty exception.
  static func level(_ row: PlantKnowledge.Row) -> Bool {
    (row["min_level"] == "2" || row["min_level"] == "3") && row["applies_to"] == "all"
      && row["specialty_min_level"].isEmpty
  }

  /// A days-used course of at most 21 days with no interval or weekly limit.
  static func course(_ row: PlantKnowledge.Row) -> Bool {
    row["count_mode"] == "days_used" && (Int(row["max_days"]) ?? 99) <= 21 && row["min_interval_days"].isEmpty
      && row["max_per_week"].isEmpty
  }

  /// A frequency row of the period kind the rule reads.
  static func frequency(_ row: PlantKnowledge.Row, rolling: Bool) -> Bool {
    let max = Int(row["max_count"]) ?? 0
    // Rolling plants put max_count + 1 occurrences on consecutive days of a stay of at least two days.
    if rolling { return row["period_kind"] == "rolling" && max == 1 && (Int(row["period_days"]) ?? 0) >= 2 }
    return row["period_kind"] == "calendar_day" && max >= 1
  }

  /// Whether a kp-frequency rule reads the rolling rows (C02) rather than the calendar-day ones (C01).
  static func isRolling(_ r: PlantRuleList.Rule) -> Bool {
    r.string("period_kind", r.id == "C02" ? "rolling" : "calendar_day") == "rolling"
  }

  /// Pairs of distinct single-table codes of one kp-discount group, in table order.
  static func discountPairs(_ k: PlantKnowledge) -> [(String, String)] {
    var byGroup: [String: [String]] = [:]
    var order: [String] = []
    for row in k.rows("kp-discount") {
      if byGroup[row["group_id"]] == nil { order.append(row["group_id"]) }
      byGroup[row["group_id"], default: []].append(row.code)
    }
    var pairs: [(String, String)] = []
    for g in order {
      let codes = byGroup[g] ?? []
      for i in stride(from: 0, to: codes.count - 1, by: 2) { pairs.append((codes[i], codes[i + 1])) }
    }
    return pairs
  }
}
